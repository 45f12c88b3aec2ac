package io.github.vgg4j.datavec;

import java.util.List;

/**
 * What a data path holds: a training set, a test set where the source defines one (CIFAR-10's
 * test_batch.bin, idx t10k files, a test/ or val/ folder), the class names in output order, and
 * an unlabelled set to predict (Kaggle's test1/) where there is one. Absent parts are null.
 */
public record DataBundle(DataFormat format, String source, ImageDataset train, ImageDataset test,
                         ImageDataset unlabeled, List<String> labels) {

    public DataBundle {
        labels = List.copyOf(labels);
    }

    public boolean hasTest() {
        return test != null;
    }
}
