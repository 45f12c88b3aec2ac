package io.github.vgg4j.transfer;

import io.github.vgg4j.core.VggConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsF32F16Bf16AndF64AsFloats() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(4 * 2 + 2 * 2 + 2 * 2 + 8 * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f);
        data.putShort((short) 0x3C00).putShort((short) 0xC500); // F16 1.0, -5.0
        data.putShort((short) (Float.floatToIntBits(3.25f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        data.putDouble(0.125).putDouble(1e3);
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[12,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,32]},\"__metadata__\":{\"format\":\"pt\"}}";
        Path f = write(header, data.array());
        try (Safetensors st = Safetensors.open(f)) {
            assertArrayEquals(new float[] {1.5f, -2f}, st.floats(st.tensors().get("a")));
            assertArrayEquals(new float[] {1f, -5f}, st.floats(st.tensors().get("b")));
            assertArrayEquals(new float[] {3.25f, -0.5f}, st.floats(st.tensors().get("c")));
            assertArrayEquals(new float[] {0.125f, 1000f}, st.floats(st.tensors().get("d")));
            assertEquals("pt", st.metadata().get("format"));
        }
        assertEquals(65504f, Safetensors.halfToFloat((short) 0x7BFF));
        assertEquals((float) Math.pow(2, -24), Safetensors.halfToFloat((short) 0x0001));
        assertTrue(Float.isInfinite(Safetensors.halfToFloat((short) 0xFC00)));
    }

    @Test
    void damagedAndHostileFilesAreRefusedWithTheReason() throws Exception {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        assertRefused(write(ok, new byte[8]), "outside the 8 bytes of data", "truncated");
        assertRefused(raw(lengthPrefix(1_000_000), ok.getBytes(StandardCharsets.UTF_8)), "header length is 1000000 bytes");
        assertRefused(raw(lengthPrefix(-1), new byte[16]), "header length is 18446744073709551615");
        assertRefused(raw(lengthPrefix(0), new byte[16]), "header length is 0");
        assertRefused(raw(new byte[5]), "fewer than the 8-byte header length");
        assertRefused(write("{\"w\": [1, 2", new byte[16]), "not valid JSON");
        assertRefused(write("[1, 2]", new byte[16]), "not a JSON object");
        assertRefused(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}", new byte[16]),
                "shape [3, 2] of F32 (24 bytes) but data_offsets [0, 16] hold 16 bytes");
        assertRefused(write("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "unknown dtype Q7");
        assertRefused(write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "'a' and 'b' overlap");
        assertRefused(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", new byte[16]),
                "impossibly large shape");
        assertRefused(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[4,8]}}", new byte[8]), "not valid JSON");
        assertRefused(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[8]), "needs dtype, shape and data_offsets");

        // A header length over the cap, in a file large enough to hold it (sparse: no real disk use).
        Path big = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(lengthPrefix(150L << 20));
            f.setLength(200L << 20);
        }
        assertRefused(big, "header must be 1..104857600 bytes");
    }

    @Test
    void weightsThatDoNotFitTheConfigurationNameTheTensorAndBothShapes() throws Exception {
        Map<String, long[]> tensors = new LinkedHashMap<>();
        tensors.put("features.0.weight", new long[] {64, 3, 3, 3});
        tensors.put("features.0.bias", new long[] {64});
        tensors.put("features.3.weight", new long[] {128, 64, 5, 5});
        tensors.put("features.3.bias", new long[] {128});
        Path f = zeros(tensors);
        WeightsFileException e = assertThrows(WeightsFileException.class,
                () -> Pretrained.torchvision(f, VggConfiguration.A, false, 32, 32, null));
        assertTrue(e.getMessage().contains("features.3.weight has shape [128, 64, 5, 5]")
                && e.getMessage().contains("expects [128, 64, 3, 3]"), e.getMessage());

        WeightsFileException config = assertThrows(WeightsFileException.class, () -> Pretrained.torchvision(f, null, null, 32, 32, null));
        assertTrue(config.getMessage().contains("match none of the VGG configurations"), config.getMessage());

        tensors.put("features.3.weight", new long[] {128, 64, 3, 3});
        WeightsFileException missing = assertThrows(WeightsFileException.class,
                () -> Pretrained.torchvision(zeros(tensors), VggConfiguration.A, false, 32, 32, null));
        assertTrue(missing.getMessage().contains("has no tensor features.6.weight"), missing.getMessage());

        tensors.put("classifier.6.weight", new long[] {10, 4096});
        WeightsFileException classes = assertThrows(WeightsFileException.class,
                () -> Pretrained.torchvision(zeros(tensors), VggConfiguration.A, false, 32, 32, 5));
        assertTrue(classes.getMessage().contains("classifier.6.weight has shape [10, 4096] (10 classes) but 5 classes"),
                classes.getMessage());
    }

    private void assertRefused(Path f, String... fragments) {
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> {
            try (Safetensors st = Safetensors.open(f)) {
                for (Safetensors.Tensor t : st.tensors().values()) {
                    st.floats(t);
                }
            }
        });
        assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    private int n;

    private Path write(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(lengthPrefix(h.length), h, data);
    }

    private Path raw(byte[]... parts) throws IOException {
        Path f = dir.resolve("t" + n++ + ".safetensors");
        try (var out = Files.newOutputStream(f)) {
            for (byte[] p : parts) {
                out.write(p);
            }
        }
        return f;
    }

    private static byte[] lengthPrefix(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    /** A well-formed file of zero-valued F32 tensors. */
    private Path zeros(Map<String, long[]> tensors) throws IOException {
        StringBuilder h = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, long[]> t : tensors.entrySet()) {
            long bytes = 4;
            StringBuilder shape = new StringBuilder();
            for (long d : t.getValue()) {
                bytes *= d;
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            h.append(h.length() == 1 ? "" : ",").append('"').append(t.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(shape).append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        return write(h.append('}').toString(), new byte[(int) offset]);
    }
}
