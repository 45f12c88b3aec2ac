package io.github.vgg4j.core.io;

import io.github.vgg4j.core.internal.Checksum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ChecksumTest {
    @TempDir
    Path dir;

    @Test
    void knownValues() throws Exception {
        Path f = dir.resolve("abc");
        Files.write(f, "abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Long.toString(0x024d0127L), Checksum.adler32(0).compute(f)); // Adler-32 of "abc"
        assertTrue(Checksum.adler32(0x024d0127L).matches(f));
        assertTrue(Checksum.md5("900150983cd24fb0d6963f7d28e17f72").matches(f));
        assertTrue(Checksum.sha256("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").matches(f));
        assertFalse(Checksum.md5("00000000000000000000000000000000").matches(f));
    }
}
