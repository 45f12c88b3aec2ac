package io.github.vgg4j.datavec.internal;

import io.github.vgg4j.datavec.ImageDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Subsets of a dataset as index arrays, all seeded: a stratified train/validation split, a
 * stratified training fraction (the CIFAR-10 write-up trains on 1%, 10%, 50%, 80%), and the first
 * N examples after a seeded shuffle ({@code --limit-train}). Stratified means each class keeps its
 * share, rounded per class.
 */
public final class Splits {

    private Splits() {
    }

    /** Indices of a train part and a validation part. */
    public record Split(int[] train, int[] validation) {
    }

    public static int[] all(ImageDataset data) {
        int[] all = new int[data.size()];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** Holds out {@code fraction} of each class for validation. */
    public static Split stratified(ImageDataset data, int[] indices, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
        List<List<Integer>> byClass = byClass(data, indices, seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (List<Integer> members : byClass) {
            int held = (int) Math.round(members.size() * fraction);
            val.addAll(members.subList(0, held));
            train.addAll(members.subList(held, members.size()));
        }
        return new Split(sorted(train), sorted(val));
    }

    /** Keeps {@code fraction} of each class (at least one example of each class present). */
    public static int[] fraction(ImageDataset data, int[] indices, double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("training fraction must be in (0, 1], got " + fraction);
        }
        List<Integer> kept = new ArrayList<>();
        for (List<Integer> members : byClass(data, indices, seed)) {
            if (!members.isEmpty()) {
                kept.addAll(members.subList(0, Math.max(1, (int) Math.round(members.size() * fraction))));
            }
        }
        return sorted(kept);
    }

    /** The first {@code n} of {@code indices} after a seeded shuffle (all if n >= their number). */
    public static int[] limit(int[] indices, int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + n);
        }
        int[] shuffled = shuffled(indices, seed);
        return n >= shuffled.length ? indices.clone() : sortedCopy(Arrays.copyOf(shuffled, n));
    }

    /** A seeded Fisher-Yates shuffle (a new array). */
    public static int[] shuffled(int[] indices, long seed) {
        int[] a = indices.clone();
        Random r = new Random(seed);
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Example count per class, for reports. */
    public static int[] classCounts(ImageDataset data, int[] indices) {
        int[] counts = new int[data.labels().size()];
        for (int i : indices) {
            counts[data.label(i)]++;
        }
        return counts;
    }

    private static List<List<Integer>> byClass(ImageDataset data, int[] indices, long seed) {
        int classes = data.labels().size();
        if (classes == 0) {
            throw new IllegalArgumentException(data.source() + " is unlabelled: it cannot be split by class");
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i : shuffled(indices, seed)) {
            byClass.get(data.label(i)).add(i);
        }
        return byClass;
    }

    private static int[] sorted(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int[] sortedCopy(int[] a) {
        int[] b = a.clone();
        Arrays.sort(b);
        return b;
    }
}
