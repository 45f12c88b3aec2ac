package io.github.vgg4j.spark;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test support: a small learnable idx dataset on disk (4 classes: a bright square in one quadrant), and a tiny VGG. */
final class SmallData {
    private SmallData() {
    }

    static Path write(Path folder, int train, int test) throws IOException {
        Files.createDirectories(folder);
        Random r = new Random(7);
        write(folder, "train", train, r);
        write(folder, "t10k", test, r);
        Files.writeString(folder.resolve("labels.txt"), "top-left\ntop-right\nbottom-left\nbottom-right\n");
        return folder;
    }

    private static void write(Path folder, String prefix, int n, Random r) throws IOException {
        byte[] pixels = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4);
            labels[i] = (byte) c;
            int top = (c / 2) * 14 + r.nextInt(5);
            int left = (c % 2) * 14 + r.nextInt(5);
            for (int p = 0; p < 28 * 28; p++) {
                pixels[i * 784 + p] = (byte) r.nextInt(60);
            }
            for (int y = top; y < top + 9; y++) {
                for (int x = left; x < left + 9; x++) {
                    pixels[i * 784 + y * 28 + x] = (byte) (180 + r.nextInt(70));
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(folder.resolve(prefix + "-images-idx3-ubyte")))) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(folder.resolve(prefix + "-labels-idx1-ubyte")))) {
            out.writeInt(0x801);
            out.writeInt(n);
            out.write(labels);
        }
    }

    /** VGG-A with batch norm at 1/16 width on 1x32x32, the CIFAR head; seeded. */
    static VGGBuilder tinyVgg(int classes, double dropout) {
        return new VGGBuilder().configuration(VggConfiguration.parse("A")).batchNorm(true).inputShape(1, 32, 32)
                .numClasses(classes).head(Head.cifar()).widthMultiplier(0.0625).dropout(dropout).seed(42);
    }
}
