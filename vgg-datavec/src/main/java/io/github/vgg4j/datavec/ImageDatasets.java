package io.github.vgg4j.datavec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Views of datasets. */
final class ImageDatasets {

    private ImageDatasets() {
    }

    /**
     * The dataset with its classes renumbered to {@code order} (a model's labels, or a training
     * set's), matched by name, so a test set can never be read with a permuted label order (the
     * DataVec pitfall of listing classes differently at test time). A class the order does not
     * contain is an error naming it.
     */
    public static ImageDataset withLabelOrder(ImageDataset data, List<String> order) throws BadDataException {
        List<String> own = data.labels();
        if (own.isEmpty() || own.equals(order)) {
            return data;
        }
        int[] map = new int[own.size()];
        List<String> unknown = new ArrayList<>();
        for (int c = 0; c < own.size(); c++) {
            map[c] = order.indexOf(own.get(c));
            if (map[c] < 0) {
                unknown.add(own.get(c));
            }
        }
        if (!unknown.isEmpty()) {
            throw new BadDataException(data.source() + " has class(es) " + unknown + " that are not among " + order);
        }
        List<String> labels = List.copyOf(order);
        return new ImageDataset() {
            public int size() {
                return data.size();
            }

            public List<String> labels() {
                return labels;
            }

            public int label(int i) {
                return map[data.label(i)];
            }

            public String id(int i) {
                return data.id(i);
            }

            public RawImage read(int i, Fit fit, SplittableRandom random) throws BadImageException {
                return data.read(i, fit, random);
            }

            public boolean fitsWhileReading() {
                return data.fitsWhileReading();
            }

            public String source() {
                return data.source();
            }

            public List<SkippedFiles.Entry> skippedWhileListing() {
                return data.skippedWhileListing();
            }

            public int[] nativeShape() {
                return data.nativeShape();
            }
        };
    }
}
