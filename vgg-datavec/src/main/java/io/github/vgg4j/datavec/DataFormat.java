package io.github.vgg4j.datavec;

import java.util.Locale;

/** The data layouts vgg4j reads; {@link DataSources} detects which one a path holds. */
public enum DataFormat {
    /** CIFAR-10's binary distribution: cifar-10-binary.tar.gz or cifar-10-batches-bin/. */
    CIFAR10,
    /** MNIST-format idx files (train-images-idx3-ubyte[.gz], ...), e.g. MNIST, Fashion-MNIST. */
    IDX,
    /** Kaggle dogs-vs-cats: cat.0.jpg, dog.12.jpg (label = the name before the first dot). */
    KAGGLE,
    /** One subfolder per class (torchvision's ImageFolder; classes sorted by name). */
    FOLDER;

    public static DataFormat parse(String name) {
        for (DataFormat f : values()) {
            if (f.name().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown data format '" + name + "': expected cifar10, idx, kaggle or folder");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
