package io.github.vgg4j.core;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Test support for the modules that read image files (the command line, the examples): small
 * learnable datasets written as the files a user has, in seconds.
 */
public final class TestImageFiles {
    private TestImageFiles() {
    }

    /**
     * Grey 28x28 images of 4 classes (a bright band at a class-specific height, plus noise) as idx
     * files ({@code train-*}, and {@code t10k-*} when {@code test > 0}) with a labels.txt.
     */
    public static Path idx(Path folder, int train, int test) throws IOException {
        Files.createDirectories(folder);
        Random r = new Random(1);
        writeIdx(folder, "train", train, r);
        if (test > 0) {
            writeIdx(folder, "t10k", test, r);
        }
        Files.writeString(folder.resolve("labels.txt"), "top\nupper\nlower\nbottom\n");
        return folder;
    }

    private static void writeIdx(Path folder, String prefix, int n, Random r) throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        try (DataOutputStream img = new DataOutputStream(images); DataOutputStream lab = new DataOutputStream(labels)) {
            img.writeInt(0x803);
            img.writeInt(n);
            img.writeInt(28);
            img.writeInt(28);
            lab.writeInt(0x801);
            lab.writeInt(n);
            for (int i = 0; i < n; i++) {
                int c = i % 4;
                lab.writeByte(c);
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        img.writeByte(Math.min(255, (y >= 3 + 6 * c && y < 7 + 6 * c ? 150 : 0) + r.nextInt(100)));
                    }
                }
            }
        }
        Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), labels.toByteArray());
    }

    /** A 40x40 PNG: a white disc or square at a random place on a dark random background. */
    public static Path shape(Path file, boolean disc, Random r) throws IOException {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(80), r.nextInt(80), r.nextInt(80)));
        g.fillRect(0, 0, 40, 40);
        g.setColor(Color.WHITE);
        int x = 4 + r.nextInt(12), y = 4 + r.nextInt(12);
        if (disc) {
            g.fillOval(x, y, 20, 20);
        } else {
            g.fillRect(x, y, 20, 20);
        }
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }
}
