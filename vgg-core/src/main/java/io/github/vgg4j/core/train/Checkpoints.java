package io.github.vgg4j.core.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The checkpoint folder of a run: {@code checkpoint.zip} (weights, updater state and
 * {@link TrainingState} in one atomically written file) and {@code best-model.zip}.
 */
final class Checkpoints {
    static final String CHECKPOINT = "checkpoint.zip";
    static final String BEST = "best-model.zip";
    static final String STATE_ENTRY = "vgg4j-training-state.json";
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private final ModelInfo info;

    Checkpoints(Path dir, ModelInfo info) {
        this.dir = dir;
        this.info = info;
    }

    Path checkpoint() {
        return dir.resolve(CHECKPOINT);
    }

    boolean exists() {
        return Files.isRegularFile(checkpoint());
    }

    /** Removes the partial checkpoints of a killed run (as large as a checkpoint: 1.1 GB for VGG16 at 224). */
    void removeStaleTemporaries() {
        AtomicFiles.removeStaleTemporaries(checkpoint());
        AtomicFiles.removeStaleTemporaries(dir.resolve(BEST));
    }

    void write(MultiLayerNetwork net, TrainingState state) throws IOException {
        Files.createDirectories(dir);
        ModelFiles.save(net, checkpoint(), info, true, Map.of(STATE_ENTRY, JSON.writeValueAsBytes(state)));
    }

    void writeBest(MultiLayerNetwork net) throws IOException {
        Files.createDirectories(dir);
        ModelFiles.save(net, dir.resolve(BEST), info, false);
    }

    /** Loads the checkpoint into {@code net} (weights, updater state, counters) and returns its state. */
    TrainingState restoreInto(MultiLayerNetwork net) throws IOException {
        Path file = checkpoint();
        ModelFiles.LoadedModel loaded = ModelFiles.load(file, true);
        byte[] json = loaded.entries().get(STATE_ENTRY);
        if (json == null) {
            throw new IOException(file + " is a model but not a vgg4j checkpoint (no " + STATE_ENTRY + ")");
        }
        TrainingState state = JSON.readValue(json, TrainingState.class);
        if (state.version() != TrainingState.VERSION) {
            throw new IOException(file + " is a checkpoint of format " + state.version() + "; this vgg4j reads format "
                    + TrainingState.VERSION);
        }
        MultiLayerNetwork saved = loaded.multiLayerNetwork();
        requireSameNetwork(file, saved.getLayerWiseConfigurations(), net.getLayerWiseConfigurations());
        net.setParams(saved.params().dup());
        INDArray updater = saved.getUpdater() == null ? null : saved.getUpdater().getStateViewArray();
        if (updater != null) {
            net.getUpdater().getStateViewArray().assign(updater);
        }
        net.getLayerWiseConfigurations().setIterationCount(saved.getLayerWiseConfigurations().getIterationCount());
        net.getLayerWiseConfigurations().setEpochCount(saved.getLayerWiseConfigurations().getEpochCount());
        return state;
    }

    /** A checkpoint of another network must not be loaded into this one: say what differs. */
    static void requireSameNetwork(Path file, MultiLayerConfiguration saved, MultiLayerConfiguration current) throws IOException {
        int n = saved.getConfs().size();
        if (n != current.getConfs().size()) {
            throw new IOException(file + " was written by another network (" + n + " layers, this one has "
                    + current.getConfs().size() + "): use another --checkpoint-dir or start without --resume");
        }
        for (int i = 0; i < n; i++) {
            Layer a = saved.getConf(i).getLayer();
            Layer b = current.getConf(i).getLayer();
            if (!Objects.equals(a.getLayerName(), b.getLayerName()) || a.getClass() != b.getClass()) {
                throw new IOException(file + " was written by another network: layer " + i + " is '" + a.getLayerName()
                        + "' there, '" + b.getLayerName() + "' here");
            }
            if (a instanceof FeedForwardLayer fa && b instanceof FeedForwardLayer fb
                    && (fa.getNOut() != fb.getNOut() || fa.getNIn() != fb.getNIn())) {
                String what = "predictions".equals(a.getLayerName()) ? " (a different number of classes)" : "";
                throw new IOException(file + " was written by another network: layer '" + a.getLayerName() + "' has "
                        + fa.getNIn() + " inputs and " + fa.getNOut() + " outputs there, " + fb.getNIn() + " and " + fb.getNOut()
                        + " here" + what);
            }
        }
    }
}
