package io.github.vgg4j.core.train;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Test support: an in-memory iterator whose epoch order depends on (seed, epoch) only. */
final class SeededBatches implements DataSetIterator, EpochIterator {
    private final List<DataSet> examples;
    private final int batch;
    private final long seed;
    private List<DataSet> order;
    private int cursor;
    private int epoch;

    SeededBatches(DataSet data, int batch, long seed) {
        this.examples = data.asList();
        this.batch = batch;
        this.seed = seed;
        startEpoch(0, 0);
    }

    @Override
    public void startEpoch(int e, int fromBatch) {
        epoch = e;
        order = new ArrayList<>(examples);
        Collections.shuffle(order, new Random(seed * 31 + e));
        cursor = fromBatch * batch;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.size();
    }

    @Override
    public DataSet next() {
        List<DataSet> part = order.subList(cursor, Math.min(order.size(), cursor + batch));
        cursor += batch;
        return DataSet.merge(part);
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int inputColumns() {
        return 0;
    }

    @Override
    public int totalOutcomes() {
        return examples.get(0).getLabels().columns();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        startEpoch(epoch + 1, 0);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
