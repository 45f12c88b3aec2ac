package io.github.vgg4j.arbiter;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Test support: a folder of idx files (the MNIST format) with small learnable images, so that a
 * search runs in seconds: class c is a bright horizontal band at a class-specific height, on noise.
 */
final class TinyImages {
    static final List<String> LABELS = List.of("top", "upper", "lower", "bottom");

    private TinyImages() {
    }

    /** {@code n} 28x28 grey training images of 4 classes in {@code folder}. */
    static Path idx(Path folder, int n, long seed) throws IOException {
        Files.createDirectories(folder);
        Random r = new Random(seed);
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        try (DataOutputStream img = new DataOutputStream(images); DataOutputStream lab = new DataOutputStream(labels)) {
            img.writeInt(0x00000803);
            img.writeInt(n);
            img.writeInt(28);
            img.writeInt(28);
            lab.writeInt(0x00000801);
            lab.writeInt(n);
            for (int i = 0; i < n; i++) {
                int c = i % LABELS.size();
                lab.writeByte(c);
                int top = 3 + 6 * c + r.nextInt(2);
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        boolean band = y >= top && y < top + 4;
                        img.writeByte(Math.min(255, (band ? 150 : 0) + r.nextInt(100)));
                    }
                }
            }
        }
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
        Files.write(folder.resolve("labels.txt"), String.join("\n", LABELS).getBytes());
        return folder;
    }
}
