package io.github.vgg4j.datavec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KaggleSubmissionTest {
    @TempDir
    Path dir;

    @Test
    void rowsAreSortedByNumericIdAndClipped() throws Exception {
        Path csv = dir.resolve("submission.csv");
        KaggleSubmission.write(csv, List.of(new KaggleSubmission.Row("10", 1.0), new KaggleSubmission.Row("2", 0.25),
                new KaggleSubmission.Row("1", 0.0)), 0.005);
        assertEquals(List.of("id,label", "1,0.005000", "2,0.250000", "10,0.995000"), Files.readAllLines(csv));
        KaggleSubmission.write(csv, List.of(new KaggleSubmission.Row("3", 1.0)), 0);
        assertEquals(List.of("id,label", "3,1.000000"), Files.readAllLines(csv));
    }

    @Test
    void badIdsAndProbabilitiesAreNamed() {
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> KaggleSubmission.write(dir.resolve("s.csv"), List.of(new KaggleSubmission.Row("cat.1", 0.5)), 0));
        assertTrue(id.getMessage().contains("'cat.1'"));
        assertThrows(IllegalArgumentException.class,
                () -> KaggleSubmission.write(dir.resolve("s.csv"), List.of(new KaggleSubmission.Row("1", Double.NaN)), 0));
        assertFalse(Files.exists(dir.resolve("s.csv")));
    }
}
