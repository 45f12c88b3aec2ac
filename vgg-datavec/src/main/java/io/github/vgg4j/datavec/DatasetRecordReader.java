package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.core.io.Preprocessing;
import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;

import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A DataVec {@code RecordReader} over any vgg4j source (CIFAR-10 records, idx files, image
 * folders): each record is {@code [NDArrayWritable image (1, C, H, W), IntWritable label]}, the
 * image fitted, augmented and normalised as in {@link ImageBatches}. Use it where DataVec readers
 * are expected, e.g. with {@code RecordReaderDataSetIterator(reader, batch, 1, numClasses)};
 * {@link ImageBatches} is the faster, prefetching path for training.
 *
 * <pre>{@code
 * RecordReader reader = new DatasetRecordReader(Fit.eval(3, 32, 32, 1), Preprocessing.cifar10());
 * reader.initialize(new FileSplit(new File("cifar-10-binary.tar.gz")));   // the training set
 * }</pre>
 */
public class DatasetRecordReader extends BaseRecordReader {
    private final Fit fit;
    private final Preprocessing preprocessing;
    private final Augmentation augmentation;
    private final boolean shuffle;
    private final long seed;
    private transient ImageDataset data;
    private transient int[] indices;
    private transient PixelNormalizer normalizer;
    private transient SkippedFiles skipped = new SkippedFiles();
    private transient int[] order;
    private int cursor;
    private int epoch;
    private Configuration conf;

    /** A reader to be pointed at data with {@link #initialize(InputSplit)} (its training set is read). */
    public DatasetRecordReader(Fit fit, Preprocessing preprocessing) {
        this(null, null, fit, Augmentation.none(), preprocessing, false, 0);
    }

    /** A reader over examples {@code indices} (null: all) of a dataset. */
    public DatasetRecordReader(ImageDataset data, int[] indices, Fit fit, Augmentation augmentation,
                               Preprocessing preprocessing, boolean shuffle, long seed) {
        this.fit = fit;
        this.preprocessing = preprocessing;
        this.augmentation = augmentation;
        this.shuffle = shuffle;
        this.seed = seed;
        if (data != null) {
            use(data, indices);
        }
    }

    private void use(ImageDataset dataset, int[] subset) {
        this.data = dataset;
        this.indices = subset != null ? subset.clone() : Splits.all(dataset);
        this.normalizer = new PixelNormalizer(preprocessing, fit.channels());
        for (SkippedFiles.Entry e : dataset.skippedWhileListing()) {
            skipped.add(e.id(), e.reason());
        }
        startEpoch(0);
    }

    /**
     * Opens the split's root (a {@code FileSplit}'s file or folder; otherwise its first location)
     * with {@link DataSources} and reads its training set.
     */
    @Override
    public void initialize(InputSplit split) throws IOException {
        Path path;
        if (split instanceof FileSplit fs && fs.getRootDir() != null) {
            path = fs.getRootDir().toPath();
        } else {
            URI[] locations = split.locations();
            if (locations == null || locations.length == 0) {
                throw new IOException("the input split has no location");
            }
            path = new File(locations[0]).toPath();
        }
        DataBundle bundle = DataSources.open(path, null);
        if (bundle.train() == null) {
            throw new BadDataException(path + " has no labelled training images");
        }
        use(bundle.train(), null);
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) throws IOException {
        this.conf = conf;
        initialize(split);
    }

    private void startEpoch(int e) {
        epoch = e;
        order = shuffle ? Splits.shuffled(indices, ImageBatches.mix(seed, e, -1)) : indices;
        cursor = 0;
    }

    @Override
    public boolean hasNext() {
        return data != null && cursor < order.length;
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public Record nextRecord() {
        requireData();
        while (cursor < order.length) {
            int index = order[cursor++];
            List<Writable> record = read(index);
            if (record != null) {
                return new org.datavec.api.records.impl.Record(record, new RecordMetaDataIndex(index, null, DatasetRecordReader.class));
            }
        }
        throw new NoSuchElementException("no more records in " + data.source() + " (epoch " + epoch + ")");
    }

    private List<Writable> read(int index) {
        SplittableRandom random = new SplittableRandom(ImageBatches.mix(seed, epoch, index));
        RawImage img;
        try {
            img = data.read(index, fit, random);
        } catch (ImageDataset.BadImageException e) {
            skipped.add(e.id(), e.reason());
            return null;
        }
        img = augmentation.apply(img, random);
        float[] pixels = new float[fit.channels() * fit.height() * fit.width()];
        normalizer.write(img, pixels, 0);
        List<Writable> record = new ArrayList<>(2);
        record.add(new NDArrayWritable(Nd4j.create(pixels, new long[] {1, fit.channels(), fit.height(), fit.width()}, 'c')));
        if (!data.labels().isEmpty()) {
            record.add(new IntWritable(data.label(index)));
        }
        return record;
    }

    /** Decodes one encoded image from a stream (no label): for prediction on single files. */
    @Override
    public List<Writable> record(URI uri, DataInputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        String problem = ImageFormats.problem(bytes);
        RawImage img = problem == null ? OpenCvImages.decode(bytes, fit, new SplittableRandom(seed)) : null;
        if (img == null) {
            throw new BadDataException(uri + ": " + (problem != null ? problem : "corrupt: the image data cannot be decoded"));
        }
        float[] pixels = new float[fit.channels() * fit.height() * fit.width()];
        new PixelNormalizer(preprocessing, fit.channels()).write(img, pixels, 0);
        List<Writable> record = new ArrayList<>(1);
        record.add(new NDArrayWritable(Nd4j.create(pixels, new long[] {1, fit.channels(), fit.height(), fit.width()}, 'c')));
        return record;
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        requireData();
        int index = (int) ((RecordMetaDataIndex) recordMetaData).getIndex();
        List<Writable> record = read(index);
        if (record == null) {
            throw new IllegalStateException(data.id(index) + " was skipped: " + skipped.entries());
        }
        return new org.datavec.api.records.impl.Record(record, recordMetaData);
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> list) {
        List<Record> records = new ArrayList<>();
        for (RecordMetaData m : list) {
            records.add(loadFromMetaData(m));
        }
        return records;
    }

    @Override
    public List<String> getLabels() {
        return data == null ? null : data.labels();
    }

    /** Starts the next epoch (a new order when shuffling, new augmentation draws). */
    @Override
    public void reset() {
        requireData();
        startEpoch(epoch + 1);
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    public SkippedFiles skipped() {
        return skipped;
    }

    @Override
    public void close() {
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }

    private void requireData() {
        if (data == null) {
            throw new IllegalStateException("call initialize(InputSplit) first, or construct the reader with a dataset");
        }
    }
}
