package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of MNIST-format idx files ({@code train-images-idx3-ubyte[.gz]},
 * {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-...}), e.g. MNIST or Fashion-MNIST. Class names
 * come from a {@code labels.txt} in the folder (one per line), else Fashion-MNIST's names when the
 * folder's path mentions "fashion", else the digits 0-9.
 *
 * <pre>{@code DataBundle fashion = Idx.open(Idx.locateFashionMnist()); // 60,000 train + 10,000 test}</pre>
 */
public final class Idx {
    public static final List<String> FASHION_LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Where Debian's dataset-fashion-mnist package installs the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final URI FASHION_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    /** MD5s published in Zalando's fashion-mnist README. */
    private static final Map<String, String> FASHION_MD5 = Map.of(
            "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");

    private Idx() {
    }

    /** True if the folder holds an idx image file. */
    static boolean looksLike(Path folder) throws IOException {
        return Files.isDirectory(folder) && (find(folder, "train", "images") != null || find(folder, "t10k", "images") != null);
    }

    /**
     * Fashion-MNIST: Debian's package if installed, else the dataset cache, else downloaded there
     * (MD5-verified). Offline, the error names the files and the folder.
     */
    public static Path locateFashionMnist() throws IOException {
        if (Files.isRegularFile(DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))) {
            return DEBIAN_FASHION_MNIST;
        }
        Path folder = DatasetCache.root().resolve("fashion-mnist");
        for (var e : FASHION_MD5.entrySet()) {
            Downloads.fetch(FASHION_URL.resolve(e.getKey()), folder.resolve(e.getKey()), Checksum.md5(e.getValue()));
        }
        return folder;
    }

    public static DataBundle open(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new BadDataException(folder + " is not a folder of idx files");
        }
        List<String> labels = labelNames(folder);
        ImageDataset train = pair(folder, "train", labels);
        ImageDataset test = pair(folder, "t10k", labels);
        if (train == null && test == null) {
            throw new BadDataException(folder + " has no idx image files (train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz])");
        }
        if (train == null) {
            throw new BadDataException(folder + " has t10k files but no train-images-idx3-ubyte[.gz]");
        }
        return new DataBundle(DataFormat.IDX, folder.toString(), train, test, null, labels);
    }

    private static ImageDataset pair(Path folder, String prefix, List<String> labels) throws IOException {
        Path images = find(folder, prefix, "images");
        if (images == null) {
            return null;
        }
        Path labelFile = find(folder, prefix, "labels");
        if (labelFile == null) {
            throw new BadDataException(folder + " has " + images.getFileName() + " but no " + prefix + "-labels-idx1-ubyte[.gz]");
        }
        IdxFiles.Images img = IdxFiles.readImages(images);
        if (img.count() == 0) {
            throw new BadDataException(images + " holds no images (its header declares 0): nothing to train or test on");
        }
        int[] y = IdxFiles.readLabels(labelFile);
        if (y.length != img.count()) {
            throw new BadDataException(images.getFileName() + " has " + img.count() + " images but " + labelFile.getFileName()
                    + " has " + y.length + " labels");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= labels.size()) {
                throw new BadDataException(labelFile + ": label " + i + " is " + y[i] + "; expected 0-" + (labels.size() - 1)
                        + " (" + labels.size() + " class names)");
            }
        }
        String name = images.getFileName().toString();
        return new InMemoryImages(images.toString(), 1, img.rows(), img.cols(), img.pixels(), y, labels,
                new String[] {name}, new int[] {0});
    }

    private static Path find(Path folder, String prefix, String kind) throws IOException {
        if (!Files.isDirectory(folder)) {
            return null;
        }
        String pattern = prefix + "-" + kind + "[.-]idx" + (kind.equals("images") ? "3" : "1") + "-ubyte(\\.gz)?";
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().matches(pattern)).sorted().findFirst().orElse(null);
        }
    }

    private static List<String> labelNames(Path folder) throws IOException {
        Path file = folder.resolve("labels.txt");
        if (Files.isRegularFile(file)) {
            List<String> names = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    names.add(line.trim());
                }
            }
            if (names.size() < 2) {
                throw new BadDataException(file + ": expected at least 2 class names, one per line; found " + names.size());
            }
            return names;
        }
        if (folder.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion")) {
            return FASHION_LABELS;
        }
        return List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }
}
