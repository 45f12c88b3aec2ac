package io.github.vgg4j.core;

import java.util.Arrays;
import java.util.Locale;

/**
 * The classifier on top of the convolution blocks: how the last feature map is reduced (flattened,
 * as in the paper, or globally average-pooled) and the widths of the hidden fully connected layers
 * ({@code fc1}, {@code fc2}, ...), each followed by ReLU and dropout. The output layer
 * ({@code predictions}, softmax over the classes) always follows.
 *
 * <pre>{@code Head.imagenet()                 // flatten, 4096, 4096 (the paper)
 * Head.cifar()                    // flatten, 512, 512 (the usual CIFAR-10 VGG)
 * Head.globalAveragePooling()     // global average pool straight into predictions
 * Head.fullyConnected(1024, 256)  // flatten and your own widths}</pre>
 */
public record Head(String name, boolean globalPooling, int[] fcWidths) {

    public Head {
        for (int w : fcWidths) {
            if (w < 1) {
                throw new IllegalArgumentException("fully connected widths must be >= 1, got " + Arrays.toString(fcWidths));
            }
        }
        fcWidths = fcWidths.clone();
    }

    /** The paper's head: flatten, fc1 4096, fc2 4096 (ReLU, dropout). */
    public static Head imagenet() {
        return new Head("imagenet", false, new int[] {4096, 4096});
    }

    /** The common CIFAR-10 head: flatten, fc1 512, fc2 512 (ReLU, dropout). */
    public static Head cifar() {
        return new Head("cifar", false, new int[] {512, 512});
    }

    /** Global average pooling after the last block, then optional hidden layers of the given widths. */
    public static Head globalAveragePooling(int... fcWidths) {
        return new Head(fcWidths.length == 0 ? "avgpool" : "avgpool-custom", true, fcWidths);
    }

    /** Flatten, then hidden layers of the given widths. */
    public static Head fullyConnected(int... fcWidths) {
        return new Head("custom", false, fcWidths);
    }

    /** Parses {@code imagenet}, {@code cifar} or {@code avgpool} (the command line's --head). */
    public static Head parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "imagenet" -> imagenet();
            case "cifar" -> cifar();
            case "avgpool", "avg", "gap" -> globalAveragePooling();
            default -> throw new IllegalArgumentException(
                    "unknown head '" + name + "': expected one of imagenet, cifar, avgpool");
        };
    }

    @Override
    public int[] fcWidths() {
        return fcWidths.clone();
    }

    Head scaled(double widthMultiplier) {
        int[] scaled = new int[fcWidths.length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = Math.max(1, (int) Math.round(fcWidths[i] * widthMultiplier));
        }
        return new Head(name, globalPooling, scaled);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Head h && h.name.equals(name) && h.globalPooling == globalPooling
                && Arrays.equals(h.fcWidths, fcWidths);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(fcWidths) + (globalPooling ? 1 : 0);
    }

    @Override
    public String toString() {
        return name + (globalPooling ? " (global average pooling" : " (flatten") + ", fc " + Arrays.toString(fcWidths) + ")";
    }
}
