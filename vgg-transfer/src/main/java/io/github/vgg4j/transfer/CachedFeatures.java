package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vgg4j.datavec.SkippedFiles;
import io.github.vgg4j.datavec.internal.Splits;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Batches of cached features (a {@link FeatureCache} entry) for training the head: a new seeded
 * order each epoch ({@link #reset()}), rows read from the file as needed, so a cache larger than
 * memory still trains. Unshuffled ({@code seed < 0}) for evaluation.
 */
final class CachedFeatures implements HeadFeatures.Batches {
    private final Path file;
    private final FileChannel channel;
    private final int examples;
    private final long[] shape;
    private final int dim;
    private final int classes;
    private final int[] labels;
    private final int batchSize;
    private final long seed;
    private int epoch;
    private int[] order;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    private CachedFeatures(Path file, FileChannel channel, JsonNode header, int batchSize, long seed) throws IOException {
        this.file = file;
        this.channel = channel;
        this.examples = header.get("examples").asInt();
        JsonNode s = header.get("shape");
        this.shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).asLong();
        }
        this.dim = (int) FeatureCache.product(shape);
        this.classes = header.get("classes").asInt();
        this.batchSize = batchSize;
        this.seed = seed;
        ByteBuffer y = ByteBuffer.allocate(examples * 4).order(ByteOrder.LITTLE_ENDIAN);
        read(y, FeatureCache.DATA_START + (long) examples * dim * 4);
        this.labels = new int[examples];
        y.flip().asIntBuffer().get(labels);
        startEpoch(0);
    }

    /** @param skipped receives the files the featurizing run skipped (also on a cache hit) */
    static CachedFeatures open(Path file, int batchSize, long seed, SkippedFiles skipped) throws IOException {
        FileChannel ch = FeatureCache.openRead(file);
        try {
            JsonNode header = FeatureCache.header(ch, file);
            for (JsonNode e : header.path("skipped")) {
                if (!skipped.contains(e.path("id").asText())) {
                    skipped.add(e.path("id").asText(), e.path("reason").asText());
                }
            }
            return new CachedFeatures(file, ch, header, batchSize, seed);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    int examples() {
        return examples;
    }

    long[] featureShape() {
        return shape.clone();
    }

    Path file() {
        return file;
    }

    private void startEpoch(int e) {
        epoch = e;
        int[] all = new int[examples];
        for (int i = 0; i < examples; i++) {
            all[i] = i;
        }
        order = seed < 0 ? all : Splits.shuffled(all, seed * 31 + e);
        cursor = 0;
    }

    @Override
    public boolean hasNext() {
        return cursor < examples;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + file + " is finished; reset() starts the next");
        }
        int n = Math.min(batchSize, examples - cursor);
        float[] x = new float[n * dim];
        float[] y = new float[n * classes];
        ByteBuffer row = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int example = order[cursor + i];
            row.clear();
            read(row, FeatureCache.DATA_START + (long) example * dim * 4);
            row.flip().asFloatBuffer().get(x, i * dim, dim);
            y[i * classes + labels[example]] = 1f;
        }
        cursor += n;
        long[] batchShape = new long[shape.length + 1];
        batchShape[0] = n;
        System.arraycopy(shape, 0, batchShape, 1, shape.length);
        INDArray features = Nd4j.create(x, batchShape, 'c');
        DataSet ds = new DataSet(features, Nd4j.create(y, new long[] {n, classes}, 'c'));
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    private void read(ByteBuffer into, long position) {
        try {
            long pos = position;
            while (into.hasRemaining()) {
                int r = channel.read(into, pos);
                if (r < 0) {
                    throw new IOException(file + " ends early: the feature cache entry is truncated");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("batches have the size given when the features were opened (" + batchSize + ")");
    }

    @Override
    public int inputColumns() {
        return dim;
    }

    @Override
    public int totalOutcomes() {
        return classes;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false; // rows are read on demand; DL4J's async wrapper would only add a thread
    }

    /** Starts the next epoch (a new order when shuffling). */
    @Override
    public void reset() {
        startEpoch(epoch + 1);
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
