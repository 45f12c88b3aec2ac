package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.FineTuneResult;
import io.github.vgg4j.transfer.HeadFeatures;
import io.github.vgg4j.transfer.PretrainedModel;
import io.github.vgg4j.transfer.TransferModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Candidates of a {@link FineTuneSearchSpace}: features once, then a new head per candidate. */
final class HeadTrials implements Trials {
    private final FineTuneSearchSpace space;
    private final long seed;
    private final TrainingData data;
    private final HeadFeatures features;
    private final FineTuneResult.Featurization featurization;

    HeadTrials(FineTuneSearchSpace space, TrainingData.Builder builder, long seed, Path featureCache) throws IOException {
        this.space = space;
        this.seed = seed;
        PretrainedModel base = space.base();
        int[] s = base.inputShape();
        // read as the pretrained weights expect, and without augmentation: features are computed once
        this.data = builder.inputShape(s[0], s[1], s[2]).preprocessing(base.preprocessing()).augment(false).build();
        try {
            Search.requireValidation(data);
            TransferModel template = space.fineTune(null, seed).labels(data.labels()).build();
            this.features = HeadFeatures.of(template, data, featureCache);
            this.featurization = features.featurization();
        } catch (IOException | RuntimeException e) {
            data.close();
            throw e;
        }
    }

    /** How the features were obtained (computed, or found in the cache). */
    FineTuneResult.Featurization featurization() {
        return featurization;
    }

    @Override
    public Map<String, String> describe() {
        PretrainedModel base = space.base();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("model", base.info().architecture());
        d.put("modelParameters", String.valueOf(base.network().numParams()));
        d.put("freezeThrough", String.valueOf(space.freezeThrough()));
        d.put("hiddenLayers", Arrays.toString(space.hiddenLayers()));
        d.putAll(Fingerprints.data(data));
        return d;
    }

    @Override
    public Trial prepare(Hyperparameters hyperparameters) throws IOException {
        TransferModel model = space.fineTune(hyperparameters, seed).labels(data.labels()).build();
        MultiLayerNetwork head = features.head(model);
        int batch = hyperparameters.has(Hyperparameters.BATCH_SIZE) ? (int) hyperparameters.number(Hyperparameters.BATCH_SIZE)
                : data.train().batch();
        HeadFeatures.Batches train = features.train(batch, seed);
        HeadFeatures.Batches validation;
        try {
            validation = features.validation(batch);
        } catch (IOException e) {
            train.close();
            throw e;
        }
        return new Trial() {
            @Override
            public MultiLayerNetwork network() {
                return head;
            }

            @Override
            public DataSetIterator train() {
                return train;
            }

            @Override
            public DataSetIterator validation() {
                return validation;
            }

            @Override
            public List<String> labels() {
                return data.labels();
            }

            @Override
            public void save(Path file, Map<String, String> properties) throws IOException {
                HeadFeatures.copyInto(head, model);
                ModelInfo info = model.info();
                Map<String, String> props = new LinkedHashMap<>(info.properties());
                props.putAll(data.modelInfo(info.architecture(), Map.of()).properties());
                props.putAll(properties);
                ModelFiles.save(model.plainNetwork(), file, new ModelInfo(info.architecture(), info.inputShape(), info.labels(),
                        info.preprocessing(), props), false);
            }

            @Override
            public void close() {
                try {
                    train.close();
                    validation.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public void close() {
        data.close();
    }
}
