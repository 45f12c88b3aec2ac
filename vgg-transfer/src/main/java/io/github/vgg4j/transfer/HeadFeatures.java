package io.github.vgg4j.transfer;

import io.github.vgg4j.datavec.internal.DatasetCache;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A fine-tuning's data as features of its frozen part: computed once (and cached on disk,
 * {@link FineTuner}'s default first stage), after which a head trains in seconds. Many heads can
 * then be tried on the same features: vgg-arbiter's fine-tuning search trains one per candidate
 * learning rate and momentum.
 *
 * <pre>{@code
 * TransferModel model = FineTune.of(base).labels(data.labels()).learningRate(0.01).build();
 * HeadFeatures features = HeadFeatures.of(model, data, null);
 * MultiLayerNetwork head = features.head(model);            // the layers after the freeze point
 * new Trainer(TrainingOptions.epochs(5)).fit(head, features.train(32, 42), features.validation(32),
 *         data.labels(), TrainingProgress.NONE);
 * HeadFeatures.copyInto(head, model);                      // the trained head back into the whole network
 * }</pre>
 *
 * <p>Every call to {@link #train} and {@link #validation} opens a new iterator on the cached
 * entries (close it when done), so each head sees the same seeded order of examples whatever ran
 * before it.
 */
public final class HeadFeatures {
    private final String freezeThrough;
    private final int freezeIndex;
    private final FeatureCache.Result train;
    private final FeatureCache.Result validation;
    private final TrainingData data;

    private HeadFeatures(String freezeThrough, int freezeIndex, FeatureCache.Result train, FeatureCache.Result validation,
                         TrainingData data) {
        this.freezeThrough = freezeThrough;
        this.freezeIndex = freezeIndex;
        this.train = train;
        this.validation = validation;
        this.data = data;
    }

    /**
     * Featurizes (or finds in the cache) the training and validation images of {@code data} through
     * the frozen layers of {@code model}. The data must be read as the model expects (its input
     * size and preprocessing) and without augmentation.
     *
     * @param cacheDirectory where feature caches live; null: {@code <dataset cache>/features}
     */
    public static HeadFeatures of(TransferModel model, TrainingData data, Path cacheDirectory) throws IOException {
        Chain chain = Chain.of(model.network());
        int freeze = chain.indexOf(model.freezeThrough());
        FeatureCache cache = new FeatureCache(cacheDirectory != null ? cacheDirectory : DatasetCache.root().resolve("features"));
        int batch = data.train().batch();
        // featurize() hands back open iterators; heads get iterators of their own (train, validation)
        FeatureCache.Result train = cache.featurize(chain, freeze, data.train(), batch, 0);
        train.features().close();
        FeatureCache.Result val = null;
        if (data.validation() != null) {
            val = cache.featurize(chain, freeze, data.validation(), batch, -1);
            val.features().close();
        }
        return new HeadFeatures(model.freezeThrough(), freeze, train, val, data);
    }

    /** The trainable layers of {@code model} (after its freeze point) as a network over the features, with their parameters. */
    public MultiLayerNetwork head(TransferModel model) {
        if (!model.freezeThrough().equals(freezeThrough)) {
            throw new IllegalArgumentException("these features are the output of '" + freezeThrough + "', but the model is frozen "
                    + "through '" + model.freezeThrough() + "'");
        }
        Chain chain = Chain.of(model.network());
        return chain.slice(freezeIndex + 1, chain.size() - 1, null);
    }

    /** Copies a trained head's parameters into the layers of the same names in {@code model}. */
    public static void copyInto(MultiLayerNetwork head, TransferModel model) {
        Chain.copyParams(head, model.network());
    }

    /** Batches of cached features; close them when done (they read the cache file as they go). */
    public interface Batches extends DataSetIterator, Closeable {
    }

    /** The training features in batches of {@code batchSize}, in a new order each epoch drawn from {@code seed}. */
    public Batches train(int batchSize, long seed) throws IOException {
        return CachedFeatures.open(train.file(), batchSize, seed, data.skipped());
    }

    /** The validation features in their order; null when the data has no validation split. */
    public Batches validation(int batchSize) throws IOException {
        return validation == null ? null : CachedFeatures.open(validation.file(), batchSize, -1, data.skipped());
    }

    /** Whether the training features came from the cache, how long they took, and their shape. */
    public FineTuneResult.Featurization featurization() throws IOException {
        try (CachedFeatures t = CachedFeatures.open(train.file(), 1, -1, data.skipped())) {
            return new FineTuneResult.Featurization(train.cacheHit(), train.seconds() + (validation == null ? 0
                    : validation.seconds()), train.file(), t.examples(), t.featureShape());
        }
    }
}
