package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.core.internal.MemoryLimits;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.EpochIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of any {@link ImageDataset} for DL4J: decode, fit to the input size, augment, normalise,
 * batch, with batches prepared on worker threads ahead of the training step (asynchronous
 * prefetch) and a new seeded order each epoch.
 *
 * <p>Reproducible: the order of epoch {@code e} depends on (seed, e) only, and every random draw
 * for an example (crop, flip, scale) on (seed, e, example), never on thread timing. Examples that
 * fail to decode are skipped and recorded in {@link #skipped()}; an epoch never fails for them.
 * Features are NCHW floats; labels one-hot (absent for unlabelled data); each DataSet carries the
 * example ids as its example metadata (file names, for predictions and Kaggle submissions).
 *
 * <pre>{@code
 * DataBundle cifar = Cifar10.open(path);
 * DataSetIterator train = ImageBatches.builder(cifar.train())
 *         .fit(Fit.eval(3, 32, 32, 1)).augmentation(Augmentation.cifar())
 *         .preprocessing(Preprocessing.cifar10()).batchSize(128).shuffle(true).seed(42).build();
 * }</pre>
 */
public final class ImageBatches implements DataSetIterator, EpochIterator, AutoCloseable {
    private final ImageDataset data;
    private final int[] indices;
    private final int batchSize;
    private final Fit fit;
    private final Augmentation augmentation;
    private final PixelNormalizer normalizer;
    private final boolean shuffle;
    private final long seed;
    private final int prefetch;
    private final SkippedFiles skipped;
    private final ExecutorService workers;

    private int epoch;
    private int[] order;
    private int submitted;
    private final ArrayDeque<Future<DataSet>> pending = new ArrayDeque<>();
    private DataSetPreProcessor preProcessor;

    private ImageBatches(Builder b) {
        this.data = b.data;
        this.indices = b.indices != null ? b.indices.clone() : Splits.all(b.data);
        this.batchSize = b.batchSize;
        this.fit = b.fit;
        this.augmentation = b.augmentation;
        this.normalizer = new PixelNormalizer(b.preprocessing, b.fit.channels());
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.prefetch = b.prefetch;
        this.skipped = b.skipped;
        for (SkippedFiles.Entry e : data.skippedWhileListing()) {
            skipped.add(e.id(), e.reason());
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(b.workers, r -> {
            Thread t = new Thread(r, "vgg4j-images-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        startEpoch(b.epoch);
    }

    public static Builder builder(ImageDataset data) {
        return new Builder(data);
    }

    /** Options of the iterator; {@link #fit} and {@link #preprocessing} are required. */
    public static final class Builder {
        private final ImageDataset data;
        private int[] indices;
        private int batchSize = 64;
        private Fit fit;
        private Augmentation augmentation = Augmentation.none();
        private Preprocessing preprocessing;
        private boolean shuffle;
        private long seed = 42;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int prefetch = -1;
        private int epoch;
        private SkippedFiles skipped = new SkippedFiles();

        private Builder(ImageDataset data) {
            this.data = data;
        }

        /** The examples to use (a split); all by default. */
        public Builder indices(int[] indices) {
            this.indices = indices;
            return this;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder fit(Fit fit) {
            this.fit = fit;
            return this;
        }

        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        public Builder preprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        /** A new seeded order every epoch (training); off: the dataset's order (evaluation). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Decoding threads; the number of cores by default. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Batches prepared ahead; workers + 1 by default. */
        public Builder prefetch(int prefetch) {
            if (prefetch < 1) {
                throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        /** The epoch to start in (0 by default): no batch of another epoch is prepared first. */
        public Builder epoch(int epoch) {
            this.epoch = epoch;
            return this;
        }

        /** Collects skipped examples; share one between iterators to get one report. */
        public Builder skipped(SkippedFiles skipped) {
            this.skipped = skipped;
            return this;
        }

        /**
         * @throws IllegalStateException when batches of this size and input cannot fit in memory
         *         (each worker fills a batch on the Java heap; {@code prefetch} of them wait off-heap):
         *         a size inferred from the data (a 4096x4096 idx file) fails here, before any
         *         network is built, naming the batch, the input and the setting
         */
        public ImageBatches build() {
            if (fit == null || preprocessing == null) {
                throw new IllegalStateException("ImageBatches needs fit(...) and preprocessing(...)");
            }
            if (prefetch < 0) {
                prefetch = workers + 1;
            }
            requireMemory();
            return new ImageBatches(this);
        }

        private void requireMemory() {
            long floats = (long) batchSize * fit.channels() * fit.height() * fit.width();
            long bytes = 4 * floats;
            String what = String.format(Locale.ROOT, "batches of %d images of %dx%dx%d from %s (%s each; a smaller batch or input size"
                    + " needs less; or)", batchSize, fit.channels(), fit.height(), fit.width(), data.source(), MemoryLimits.mb(bytes));
            if (floats > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException(what + " cannot be held in one Java array: at most " + (Integer.MAX_VALUE - 8)
                        + " values per batch");
            }
            String problem = MemoryLimits.heapShortfall(workers * bytes, what);
            if (problem == null) {
                problem = MemoryLimits.offHeapShortfall(prefetch * bytes, what);
            }
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        }
    }

    // ---- epochs --------------------------------------------------------------------------------

    /** Starts epoch {@code e} (its order and random draws). */
    public synchronized void startEpoch(int e) {
        startEpoch(e, 0);
    }

    /** Starts epoch {@code e} at batch {@code fromBatch}, as an uninterrupted run would be there (resume). */
    @Override
    public synchronized void startEpoch(int e, int fromBatch) {
        cancelPending();
        epoch = e;
        order = shuffle ? order(e) : indices;
        submitted = Math.max(0, fromBatch);
        fill();
    }

    /**
     * The examples of epoch {@code e} in the order this iterator yields them (a distributed trainer
     * hands each worker its share; an iterator over a share with {@code shuffle(false)} and this
     * seed, at epoch {@code e}, reads them with the same random draws).
     */
    public int[] order(int e) {
        return shuffle ? Splits.shuffled(indices, mix(seed, e, -1)) : indices.clone();
    }

    /** The seed of the order and of every example's random draws. */
    public long seed() {
        return seed;
    }

    public synchronized int epoch() {
        return epoch;
    }

    /** Starts the next epoch. */
    @Override
    public synchronized void reset() {
        startEpoch(epoch + 1);
    }

    private void fill() {
        while (pending.size() < prefetch && submitted * (long) batchSize < order.length) {
            int from = submitted * batchSize;
            int to = Math.min(order.length, from + batchSize);
            int[] members = Arrays.copyOfRange(order, from, to);
            int e = epoch;
            pending.add(workers.submit(() -> assemble(members, e)));
            submitted++;
        }
    }

    private void cancelPending() {
        for (Future<DataSet> f : pending) {
            f.cancel(false);
        }
        pending.clear();
    }

    // ---- batches -------------------------------------------------------------------------------

    private DataSet assemble(int[] members, int e) {
        int c = fit.channels(), h = fit.height(), w = fit.width();
        int per = c * h * w;
        float[] features = new float[members.length * per];
        List<Integer> kept = new ArrayList<>(members.length);
        List<Serializable> ids = new ArrayList<>(members.length);
        for (int index : members) {
            SplittableRandom random = new SplittableRandom(mix(seed, e, index));
            RawImage img;
            try {
                img = data.read(index, fit, random);
            } catch (ImageDataset.BadImageException ex) {
                skipped.add(ex.id(), ex.reason());
                continue;
            }
            img = augmentation.apply(img, random);
            normalizer.write(img, features, kept.size() * per);
            kept.add(index);
            ids.add(data.id(index));
        }
        int n = kept.size();
        if (n == 0) {
            return null; // every example was skipped; hasNext() moves past this batch
        }
        INDArray x = Nd4j.create(n == members.length ? features : Arrays.copyOf(features, n * per), new long[] {n, c, h, w}, 'c');
        INDArray y = null;
        int classes = data.labels().size();
        if (classes > 0) {
            float[] oneHot = new float[n * classes];
            for (int i = 0; i < n; i++) {
                oneHot[i * classes + data.label(kept.get(i))] = 1f;
            }
            y = Nd4j.create(oneHot, new long[] {n, classes}, 'c');
        }
        DataSet ds = new DataSet(x, y);
        ds.setExampleMetaData(ids);
        return ds;
    }

    @Override
    public synchronized boolean hasNext() {
        while (!pending.isEmpty()) {
            if (result(pending.peek()) != null) {
                return true;
            }
            pending.poll(); // every example of this batch was skipped
            fill();
        }
        return false;
    }

    @Override
    public synchronized DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + data.source() + " is finished; reset() starts the next");
        }
        DataSet ds = result(pending.poll());
        fill();
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("batches have the size given to the builder (" + batchSize + ")");
    }

    private static DataSet result(Future<DataSet> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing a batch", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("preparing a batch failed: " + cause, cause);
        }
    }

    /** The examples skipped so far (corrupt, truncated, unreadable files). */
    public SkippedFiles skipped() {
        return skipped;
    }

    public ImageDataset dataset() {
        return data;
    }

    /** The examples this iterator reads, in dataset order (its split); what a feature cache is keyed on. */
    public int[] indices() {
        return indices.clone();
    }

    public Fit fit() {
        return fit;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    public Preprocessing preprocessing() {
        return normalizer.preprocessing();
    }

    /** Number of examples per epoch (before any are skipped). */
    public int numExamples() {
        return indices.length;
    }

    /** Number of batches per epoch. */
    public int numBatches() {
        return (indices.length + batchSize - 1) / batchSize;
    }

    @Override
    public int inputColumns() {
        return fit.channels() * fit.height() * fit.width();
    }

    @Override
    public int totalOutcomes() {
        return data.labels().size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Prefetching is built in: DL4J must not wrap this iterator in another asynchronous one. */
    @Override
    public boolean asyncSupported() {
        return false;
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
        return data.labels();
    }

    @Override
    public synchronized void close() {
        cancelPending();
        workers.shutdownNow();
    }

    /** One 64-bit seed from (seed, epoch, example): SplitMix64-style mixing of the three. */
    static long mix(long seed, long epoch, long example) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + example * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
