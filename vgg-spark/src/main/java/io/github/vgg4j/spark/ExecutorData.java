package io.github.vgg4j.spark;

import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The training set as an executor sees it: opened once per executor JVM (idx and CIFAR files are
 * read into memory; folders are listed) from the recipe's location, copied first to this machine
 * when it is an hdfs:// or s3a:// URI ({@link RemoteData}).
 */
final class ExecutorData {
    private static final Map<String, ImageDataset> OPENED = new ConcurrentHashMap<>();

    private ExecutorData() {
    }

    /** The batches of one worker's share, read at {@code epoch} with the driver iterator's random draws. */
    static ImageBatches batches(DataRecipe r, int[] share, int epoch) {
        ImageDataset data = trainingSet(r);
        // Decoding threads: CIFAR and idx images cost little beside the training step they feed.
        return ImageBatches.builder(data).indices(share).batchSize(r.batchSize()).fit(r.fit()).augmentation(r.augmentation())
                .preprocessing(r.preprocessing()).shuffle(false).seed(r.seed()).epoch(epoch).workers(2).build();
    }

    static ImageDataset trainingSet(DataRecipe r) {
        String key = r.location() + "|" + r.format();
        ImageDataset d = OPENED.get(key);
        if (d != null) {
            return d;
        }
        synchronized (OPENED) {
            return OPENED.computeIfAbsent(key, k -> open(r));
        }
    }

    private static ImageDataset open(DataRecipe r) {
        try {
            Path local = RemoteData.local(r.location());
            ImageDataset train = DataSources.open(local, r.format()).train();
            if (train == null) {
                throw new IOException("it has no labelled training images");
            }
            return train;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableDataException("executor on " + host() + " cannot read the training data at " + r.location()
                    + ": " + e.getMessage(), e);
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown host";
        }
    }

    /** An executor could not open the data: the message names the host and the location. */
    static final class UnreadableDataException extends RuntimeException {
        UnreadableDataException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
