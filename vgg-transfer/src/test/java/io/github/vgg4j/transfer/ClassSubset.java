package io.github.vgg4j.transfer;

import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.RawImage;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test support: the examples of some classes of a data set, renumbered 0..k-1 (e.g. Fashion-MNIST's 5-9). */
final class ClassSubset implements ImageDataset {
    private final ImageDataset data;
    private final int[] indices;
    private final int[] labels;
    private final List<String> names;

    private ClassSubset(ImageDataset data, int from, int to) {
        this.data = data;
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            if (data.label(i) >= from && data.label(i) < to) {
                keep.add(i);
            }
        }
        this.indices = keep.stream().mapToInt(Integer::intValue).toArray();
        this.labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = data.label(indices[i]) - from;
        }
        this.names = List.copyOf(data.labels().subList(from, to));
    }

    /** Classes {@code from} (inclusive) to {@code to} (exclusive) of the bundle's training and test sets. */
    static DataBundle of(DataBundle bundle, int from, int to) {
        ClassSubset train = new ClassSubset(bundle.train(), from, to);
        ClassSubset test = bundle.test() == null ? null : new ClassSubset(bundle.test(), from, to);
        return new DataBundle(bundle.format(), bundle.source() + " classes " + from + "-" + (to - 1), train, test, null, train.names);
    }

    public int size() {
        return indices.length;
    }

    public List<String> labels() {
        return names;
    }

    public int label(int i) {
        return labels[i];
    }

    public String id(int i) {
        return data.id(indices[i]);
    }

    public RawImage read(int i, Fit fit, SplittableRandom random) throws BadImageException {
        return data.read(indices[i], fit, random);
    }

    public boolean fitsWhileReading() {
        return data.fitsWhileReading();
    }

    public String source() {
        return data.source();
    }

    public int[] nativeShape() {
        return data.nativeShape();
    }
}
