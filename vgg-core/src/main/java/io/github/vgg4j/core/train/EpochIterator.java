package io.github.vgg4j.core.train;

/**
 * A data iterator whose epochs are reproducible and can be entered at any batch: the order and
 * random draws of epoch {@code e} depend only on (seed, e). The {@link Trainer} resumes a run
 * exactly through it. vgg-datavec's {@code ImageBatches} implements it; other iterators are
 * resumed by resetting and skipping batches (exact only if they are deterministic).
 */
public interface EpochIterator {

    /** Positions the iterator at batch {@code fromBatch} of epoch {@code epoch}. */
    void startEpoch(int epoch, int fromBatch);
}
