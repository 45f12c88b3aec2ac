package io.github.vgg4j.core.io;

import io.github.vgg4j.core.internal.AtomicFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.vgg4j.core.ModelSummary;
import io.github.vgg4j.core.internal.MemoryLimits;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Saves and loads models as DL4J model zips (readable by plain {@code ModelSerializer}) with a
 * {@value #INFO_ENTRY} entry for labels, input shape and preprocessing. Saving is atomic: the zip is
 * written beside the target and moved into place only when complete, so a crash or a full disk
 * never leaves a half-written model where the previous one was.
 *
 * <p>A model file may come from anyone, so loading reads it once through one checked view
 * ({@link ModelArchive}: no duplicate entries, the zip's two directories agree, sizes bounded),
 * accepts only DL4J/ND4J/vgg4j classes in its configuration before any class is loaded
 * ({@link ModelFileSafety}), reads the weights with vgg4j's bounded reader of ND4J's format
 * ({@link Nd4jArrays}: every declared length checked against the entry and the configuration
 * before anything is allocated) and builds the network from those bytes. Nothing Java-serialised is
 * read. {@link #readInfo} and {@link #summarize} go through the same view.
 *
 * <pre>{@code
 * ModelFiles.save(net, Path.of("model.zip"), info);
 * ModelFiles.LoadedModel m = ModelFiles.load(Path.of("model.zip"));
 * MultiLayerNetwork net = m.multiLayerNetwork();
 * }</pre>
 */
public final class ModelFiles {
    /** A flat entry name: DL4J's reader rejects zips with folder entries. */
    public static final String INFO_ENTRY = "vgg4j-model-info.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelFiles() {
    }

    /**
     * A loaded network, its info ({@code null} for a plain DL4J zip without one) and the file's
     * JSON entries by name (e.g. a checkpoint's training state), read in the same pass.
     */
    public record LoadedModel(Model network, ModelInfo info, Map<String, byte[]> entries) {
        public LoadedModel {
            entries = Map.copyOf(entries);
        }

        public LoadedModel(Model network, ModelInfo info) {
            this(network, info, Map.of());
        }

        public MultiLayerNetwork multiLayerNetwork() {
            if (network instanceof MultiLayerNetwork m) {
                return m;
            }
            throw new IllegalStateException("the model is a " + network.getClass().getSimpleName() + ", not a MultiLayerNetwork");
        }

        public ComputationGraph computationGraph() {
            if (network instanceof ComputationGraph g) {
                return g;
            }
            throw new IllegalStateException("the model is a " + network.getClass().getSimpleName() + ", not a ComputationGraph");
        }
    }

    /** Saves with the updater state (training can resume from the file). */
    public static void save(Model model, Path file, ModelInfo info) throws IOException {
        save(model, file, info, true);
    }

    public static void save(Model model, Path file, ModelInfo info, boolean saveUpdater) throws IOException {
        save(model, file, info, saveUpdater, Map.of());
    }

    /**
     * Saves with further entries of the caller's (e.g. a training checkpoint's state), all in the one
     * file that is moved into place atomically. Entry names must be flat (no folders).
     */
    public static void save(Model model, Path file, ModelInfo info, boolean saveUpdater, Map<String, byte[]> extraEntries)
            throws IOException {
        for (String name : extraEntries.keySet()) {
            if (name.contains("/")) {
                throw new IllegalArgumentException("entry names must be flat, got " + name);
            }
        }
        AtomicFiles.writeStream(file, out -> writeZip(model, out, info, saveUpdater, extraEntries));
    }

    /**
     * DL4J's model zip layout (configuration.json, coefficients.bin, updaterState.bin; what
     * {@code ModelSerializer} reads), plus vgg4j's entries, in one pass. Unlike
     * {@code ModelSerializer.writeModel} it does not deflate the weights: float32 weights shrink by
     * ~7% for ~10x the writing time (a VGG16 checkpoint: ~1 GB with the updater).
     */
    private static void writeZip(Model model, OutputStream stream, ModelInfo info, boolean saveUpdater,
                                 Map<String, byte[]> extraEntries) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(stream, 1 << 20));
        zip.setLevel(Deflater.NO_COMPRESSION);
        String json = model instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().toJson()
                : ((ComputationGraph) model).getConfiguration().toJson();
        zip.putNextEntry(new ZipEntry("configuration.json"));
        zip.write(json.getBytes(StandardCharsets.UTF_8));
        // Nd4j.write writes value by value: buffer in front of the zip, or every float pays for a CRC update.
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(zip, 1 << 20));
        if (model.params() != null) {
            zip.putNextEntry(new ZipEntry("coefficients.bin"));
            Nd4j.write(model.params(), data);
            data.flush();
        } else {
            zip.putNextEntry(new ZipEntry("noParams.marker"));
        }
        if (saveUpdater) {
            INDArray state = model instanceof MultiLayerNetwork m ? m.getUpdater().getStateViewArray()
                    : ((ComputationGraph) model).getUpdater().getStateViewArray();
            if (state != null && state.length() > 0) {
                zip.putNextEntry(new ZipEntry("updaterState.bin"));
                Nd4j.write(state, data);
                data.flush();
            }
        }
        if (info != null) {
            zip.putNextEntry(new ZipEntry(INFO_ENTRY));
            zip.write(JSON.writeValueAsBytes(info));
        }
        for (var e : extraEntries.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey()));
            zip.write(e.getValue());
        }
        zip.finish();
        zip.flush();
    }

    /**
     * One JSON entry of a model file (e.g. a checkpoint's training state), or null if it has none
     * of that name; read through the same checked view as {@link #load}.
     */
    public static byte[] readEntry(Path file, String name) throws IOException {
        return ModelArchive.read(file, null).json().get(name);
    }

    /** Loads a model zip written by {@link #save} or by DL4J's {@code ModelSerializer}. */
    public static LoadedModel load(Path file) throws IOException {
        return load(file, true);
    }

    /**
     * Loads a model zip, reading it once ({@link ModelArchive}): the configuration is checked
     * against the class allowlist before DL4J deserialises it, and the parameters and updater
     * state are read by vgg4j's bounded reader into arrays of the configuration's sizes.
     */
    public static LoadedModel load(Path file, boolean loadUpdater) throws IOException {
        NetworkReader reader = new NetworkReader(file, loadUpdater);
        try {
            ModelArchive.Contents contents = ModelArchive.read(file, reader);
            ModelInfo info = info(file, contents);
            return new LoadedModel(reader.network(), info, contents.json());
        } catch (OutOfMemoryError e) {
            throw new IOException("cannot read model " + file + ": " + MemoryLimits.explain("loading it", e), e);
        }
    }

    /**
     * The per-layer summary of a model file, from its configuration alone (no weights are read).
     *
     * @param inputShape {channels, height, width}, or null to use the shape saved with the model
     */
    public static ModelSummary summarize(Path file, int[] inputShape) throws IOException {
        ModelArchive.Contents contents = ModelArchive.read(file, null);
        ModelInfo info = info(file, contents);
        int[] shape = inputShape != null ? inputShape : info != null ? info.inputShape() : null;
        if (shape == null) {
            throw new IOException(file + " does not record its input shape (not saved by vgg4j): give it, e.g. --input 3x224x224");
        }
        InputType input = InputType.convolutional(shape[1], shape[2], shape[0]);
        String name = info != null ? info.architecture() : file.getFileName().toString();
        ModelFileSafety.Configuration conf = ModelFileSafety.configuration(file, contents.configuration());
        try {
            return conf.isGraph() ? ModelSummary.of(conf.graph(), input, name) : ModelSummary.of(conf.layers(), input, name);
        } catch (RuntimeException e) {
            throw new IOException("cannot summarise " + file + " for input " + shape[0] + "x" + shape[1] + "x" + shape[2]
                    + ": " + e.getMessage(), e);
        }
    }

    /** Reads only the info entry of a model file, without loading weights (the file is checked as by {@link #load}). */
    public static ModelInfo readInfo(Path file) throws IOException {
        return info(file, ModelArchive.read(file, null));
    }

    private static ModelInfo info(Path file, ModelArchive.Contents contents) throws IOException {
        byte[] json = contents.json().get(INFO_ENTRY);
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, ModelInfo.class);
        } catch (IOException | RuntimeException ex) {
            throw new IOException(file + ": entry " + INFO_ENTRY + " is not valid model info: " + ex.getMessage(), ex);
        }
    }
}
