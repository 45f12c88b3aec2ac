package io.github.vgg4j.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class PrintSummariesTest {
    @Test
    void printsEveryConfigurationWithThePapersParameterCounts() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            PrintSummaries.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        // Table 2 of the paper: 133, 133, 134, 138, 144 million parameters for A, A-LRN, B, D, E
        assertTrue(out.contains("132,863,336"), out); // A
        assertTrue(out.contains("138,357,544"), out); // D
        assertTrue(out.contains("143,667,240"), out); // E
        assertTrue(out.contains("A-LRN") && out.contains("block5_pool"), out);
    }
}
