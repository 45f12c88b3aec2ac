package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Candidates of a {@link VggSearchSpace}: a network from the template per candidate, data per batch size. */
final class VggTrials implements Trials {
    private final VggSearchSpace space;
    private final TrainingData.Builder builder;
    private final long seed;
    private final TrainingData first;
    private final Map<Integer, TrainingData> byBatch = new HashMap<>();

    VggTrials(VggSearchSpace space, TrainingData.Builder builder, long seed) throws IOException {
        this.space = space;
        this.builder = builder;
        this.seed = seed;
        this.first = builder.build();
        Search.requireValidation(first);
        byBatch.put(first.train().batch(), first);
    }

    @Override
    public Map<String, String> describe() {
        VGGBuilder t = configured(space.template(), first);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("model", t.name());
        d.put("modelConfiguration", Fingerprints.sha256(t.build().toJson()));
        Precision p = FastPath.resolve(t.precision());
        if (p != Precision.FP32) {
            d.put("precision", p.toString()); // not in the configuration's JSON; float32 searches describe as before
        }
        d.putAll(Fingerprints.data(first));
        return d;
    }

    private VGGBuilder configured(VGGBuilder b, TrainingData data) {
        int[] s = data.inputShape();
        return b.inputShape(s[0], s[1], s[2]).numClasses(data.labels().size()).seed(seed);
    }

    private TrainingData data(Hyperparameters hp) throws IOException {
        if (!hp.has(Hyperparameters.BATCH_SIZE)) {
            return first;
        }
        int batch = (int) hp.number(Hyperparameters.BATCH_SIZE);
        TrainingData d = byBatch.get(batch);
        if (d == null) {
            d = builder.batchSize(batch).build();
            byBatch.put(batch, d);
        }
        return d;
    }

    @Override
    public Trial prepare(Hyperparameters hyperparameters) throws IOException {
        TrainingData data = data(hyperparameters);
        VGGBuilder b = configured(space.builder(hyperparameters), data);
        MultiLayerNetwork net = b.buildNetwork();
        return new Trial() {
            @Override
            public MultiLayerNetwork network() {
                return net;
            }

            @Override
            public DataSetIterator train() {
                return data.train();
            }

            @Override
            public DataSetIterator validation() {
                return data.validation();
            }

            @Override
            public List<String> labels() {
                return data.labels();
            }

            @Override
            public void save(Path file, Map<String, String> properties) throws IOException {
                ModelFiles.save(net, file, data.modelInfo(b.name(), properties), false);
            }

            @Override
            public void close() {
                // the data serves every candidate: closed with the trials
            }
        };
    }

    @Override
    public void close() {
        byBatch.values().forEach(TrainingData::close);
    }
}
