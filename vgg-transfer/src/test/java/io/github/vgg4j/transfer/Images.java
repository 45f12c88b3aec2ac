package io.github.vgg4j.transfer;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test support: class-per-folder trees of small PNG images (shapes on noisy backgrounds). */
final class Images {
    static final String[] SHAPES = {"bar", "disc", "ring", "square"};

    private Images() {
    }

    /** {@code classes} folders of {@code perClass} images of {@code size}x{@code size}. */
    static Path classFolders(Path dir, int classes, int perClass, int size, long seed) throws IOException {
        Random r = new Random(seed);
        for (int c = 0; c < classes; c++) {
            Path folder = Files.createDirectories(dir.resolve(SHAPES[c]));
            for (int i = 0; i < perClass; i++) {
                draw(folder.resolve(SHAPES[c] + i + ".png"), c, size, r);
            }
        }
        return dir;
    }

    static void draw(Path file, int shape, int size, Random r) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(90), r.nextInt(90), r.nextInt(90)));
        g.fillRect(0, 0, size, size);
        g.setColor(new Color(150 + r.nextInt(100), 150 + r.nextInt(100), 150 + r.nextInt(100)));
        int s = size / 3 + r.nextInt(size / 4);
        int x = r.nextInt(size - s), y = r.nextInt(size - s);
        switch (shape) {
            case 0 -> g.fillRect(x, y + s / 3, s, Math.max(2, s / 4));
            case 1 -> g.fillOval(x, y, s, s);
            case 2 -> {
                g.fillOval(x, y, s, s);
                g.setColor(Color.BLACK);
                g.fillOval(x + s / 4, y + s / 4, s / 2, s / 2);
            }
            default -> g.fillRect(x, y, s, s);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
