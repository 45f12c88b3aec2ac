package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.datavec.RawImage;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid of images with captions, e.g. sample predictions (green frame: right, red: wrong, with
 * "predicted (actual)") or the channels of a feature map. Small images are enlarged with
 * nearest-neighbour sampling so their pixels stay visible.
 */
public final class ImageGrid {
    private static final Color RIGHT = new Color(34, 139, 34);
    private static final Color WRONG = new Color(200, 30, 30);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    static final FontMetrics TITLE_FONT_METRICS = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
            .getFontMetrics(TITLE_FONT);

    private ImageGrid() {
    }

    /** One tile: an image, a caption under it, and whether it was right (null: no frame). */
    public record Tile(BufferedImage image, String caption, Boolean correct) {
    }

    public static void write(Path png, String title, List<Tile> tiles, int columns, int cell) throws IOException {
        int rows = (tiles.size() + columns - 1) / columns;
        int captionH = 36, lineH = 24, pad = 10;
        int w = columns * (cell + pad) + pad;
        // the title wraps to the grid's width: a grid of 4 maps is narrower than its title
        List<String> titleLines = wrap(TITLE_FONT_METRICS, title, w - 2 * pad);
        int titleH = 20 + lineH * titleLines.size();
        int h = titleH + rows * (cell + captionH + pad) + pad;
        BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        for (int i = 0; i < titleLines.size(); i++) {
            g.drawString(titleLines.get(i), pad, 28 + i * lineH);
        }
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            int x = pad + (i % columns) * (cell + pad);
            int y = titleH + (i / columns) * (cell + captionH + pad);
            g.drawImage(t.image(), x, y, cell, cell, null);
            if (t.correct() != null) {
                g.setColor(t.correct() ? RIGHT : WRONG);
                g.setStroke(new BasicStroke(4));
                g.drawRect(x - 2, y - 2, cell + 3, cell + 3);
            }
            g.setColor(t.correct() == null ? Color.BLACK : t.correct() ? RIGHT : WRONG);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            drawFitted(g, t.caption(), x, y + cell + 16, cell);
        }
        g.dispose();
        AtomicFiles.writeStream(png, out -> ImageIO.write(canvas, "png", out));
    }

    /** Lines of at most {@code width} pixels, broken at spaces (a word longer than that gets a line of its own). */
    static List<String> wrap(FontMetrics fm, String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (line.length() > 0 && fm.stringWidth(candidate) > width) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        lines.add(line.toString());
        return lines;
    }

    /** Captions wrap onto a second line at a space and are cut with an ellipsis if still too long. */
    private static void drawFitted(Graphics2D g, String text, int x, int y, int width) {
        var fm = g.getFontMetrics();
        String first = text;
        String second = "";
        if (fm.stringWidth(text) > width && text.contains(" ")) {
            int cut = text.indexOf(" (");  // "predicted (actual)": the actual class on its own line
            if (cut <= 0) {
                cut = text.lastIndexOf(' ', text.length() / 2 + 6);
                cut = cut <= 0 ? text.indexOf(' ') : cut;
            }
            first = text.substring(0, cut);
            second = text.substring(cut + 1);
        }
        g.drawString(ellipsis(fm, first, width), x, y);
        if (!second.isEmpty()) {
            g.drawString(ellipsis(fm, second, width), x, y + 15);
        }
    }

    private static String ellipsis(java.awt.FontMetrics fm, String s, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        while (s.length() > 1 && fm.stringWidth(s + "…") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }

    /** An 8-bit planar image (grey or RGB) as a BufferedImage. */
    public static BufferedImage toImage(RawImage img) {
        int h = img.height(), w = img.width(), plane = h * w;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] p = img.pixels();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = p[i] & 0xff;
                int gr = img.channels() == 3 ? p[plane + i] & 0xff : r;
                int b = img.channels() == 3 ? p[2 * plane + i] & 0xff : r;
                out.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return out;
    }

    /** A float map (one feature-map channel) scaled to 0..255 grey, bright = strong activation. */
    public static BufferedImage toImage(float[] values, int h, int w) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min < 1e-12f ? 1 : max - min;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (int) (255 * (values[y * w + x] - min) / range);
                out.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return out;
    }
}
