package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens any data path the command line accepts ({@code --data PATH}) and detects its format:
 * <ul>
 *   <li>{@code cifar-10-binary.tar.gz} or {@code cifar-10-batches-bin/} (CIFAR-10, binary version);</li>
 *   <li>a folder of idx files (MNIST, Fashion-MNIST);</li>
 *   <li>a folder with {@code train/} and {@code test/} (or {@code val/}) subfolders, each in one of the
 *       image layouts below; a Kaggle {@code test1/} beside {@code train/} is read as unlabelled;</li>
 *   <li>an image folder: one subfolder per class, or Kaggle names ({@code cat.0.jpg}), or unlabelled;</li>
 *   <li>a .zip or .tar(.gz) of such a folder, extracted safely into the dataset cache first.</li>
 * </ul>
 * Test and validation folders are read with the training folder's class order.
 */
public final class DataSources {

    private DataSources() {
    }

    /** @param format forces a format (the command line's --format), or null to detect it */
    public static DataBundle open(Path path, DataFormat format) throws IOException {
        if (!Files.exists(path)) {
            throw new BadDataException("data path " + path + " does not exist");
        }
        FileTypes.refuseSpecial(path);
        if (format == DataFormat.CIFAR10 || format == null && Cifar10.looksLike(path)) {
            return Cifar10.open(path);
        }
        if (format == DataFormat.IDX || format == null && Idx.looksLike(path)) {
            return Idx.open(path);
        }
        if (Files.isRegularFile(path)) {
            if (Archives.isArchive(path)) {
                return open(extracted(path), format);
            }
            throw new BadDataException(path + " is a file but not a dataset: expected cifar-10-binary.tar.gz, a .zip/.tar.gz "
                    + "of images, or a folder (CIFAR-10 batches, idx files, or images)");
        }
        Path train = path.resolve("train");
        if (Files.isDirectory(train)) {
            ImageFolder trainSet = folder(train, format);
            ImageDataset test = null;
            ImageFolder unlabeled = null;
            for (String name : new String[] {"test", "val", "valid", "validation"}) {
                if (test == null && Files.isDirectory(path.resolve(name))) {
                    test = ImageFolder.open(path.resolve(name), trainSet.labels());
                }
            }
            if (Files.isDirectory(path.resolve("test1"))) {
                unlabeled = ImageFolder.unlabeled(path.resolve("test1"));
            }
            return new DataBundle(format(trainSet), path.toString(), trainSet, test, unlabeled, trainSet.labels());
        }
        ImageFolder folder = folder(path, format);
        if (folder.layout() == ImageFolder.Layout.UNLABELED) {
            return new DataBundle(DataFormat.KAGGLE, path.toString(), null, null, folder, folder.labels());
        }
        return new DataBundle(format(folder), path.toString(), folder, null, null, folder.labels());
    }

    private static ImageFolder folder(Path dir, DataFormat format) throws IOException {
        if (format == DataFormat.KAGGLE) {
            return ImageFolder.kaggle(dir);
        }
        if (format == DataFormat.FOLDER) {
            return ImageFolder.classFolders(dir);
        }
        return ImageFolder.open(dir);
    }

    private static DataFormat format(ImageFolder f) {
        return f.layout() == ImageFolder.Layout.CLASS_FOLDERS ? DataFormat.FOLDER : DataFormat.KAGGLE;
    }

    /** The archive extracted into the dataset cache, once per archive version (name, size, time). */
    private static Path extracted(Path archive) throws IOException {
        String base = archive.getFileName().toString().replaceAll("(?i)(\\.tar\\.gz|\\.tgz|\\.tar|\\.zip)$", "");
        String version = Long.toHexString(Files.size(archive) * 31 + Files.getLastModifiedTime(archive).toMillis());
        Path target = DatasetCache.root().resolve("extracted").resolve(base.toLowerCase(Locale.ROOT) + "-" + version);
        if (Files.isDirectory(target)) {
            return target; // complete: folders appear there only by an atomic rename after extraction
        }
        return Archives.extract(archive, target);
    }
}
