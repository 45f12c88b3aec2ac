package io.github.vgg4j.core.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.ModelSummary;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Saves and loads models as DL4J model zips (readable by plain {@code ModelSerializer}) with a
 * {@value #INFO_ENTRY} entry for labels, input shape and preprocessing. Saving is atomic: the zip is
 * written beside the target and moved into place only when complete, so a crash or a full disk
 * never leaves a half-written model where the previous one was.
 *
 * <p>Loading checks the file first ({@link ModelFileSafety}): only DL4J/ND4J/vgg4j classes may be
 * named in it, entry sizes must be known and fit the heap; nothing Java-serialised is read.
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
    private static final String CONFIGURATION_ENTRY = "configuration.json";
    private static final long MAX_JSON_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelFiles() {
    }

    /** A loaded network and its info ({@code null} for a plain DL4J zip without one). */
    public record LoadedModel(Model network, ModelInfo info) {
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

    /** One entry of a model file, or null if it has none of that name. */
    public static byte[] readEntry(Path file, String name) throws IOException {
        return readEntry(file, name, ModelFileSafety.MAX_ENTRY_BYTES);
    }

    /** The one place that opens model zips: any malformed archive becomes an IOException naming the file. */
    private static byte[] readEntry(Path file, String name, long maxBytes) throws IOException {
        requireFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(name);
            if (e == null) {
                return null;
            }
            if (e.getSize() < 0 || e.getSize() > maxBytes) {
                throw new IOException(file + ": entry " + name + " declares " + e.getSize() + " bytes (at most " + maxBytes + ")");
            }
            try (InputStream in = zip.getInputStream(e)) {
                return in.readNBytes((int) Math.min(e.getSize(), Integer.MAX_VALUE - 8));
            }
        } catch (ZipException | IllegalArgumentException e) {
            throw new IOException(file + " is not a model file (not a zip archive, or a damaged one: " + e.getMessage() + ")", e);
        }
    }

    /** Loads a model zip written by {@link #save} or by DL4J's {@code ModelSerializer}. */
    public static LoadedModel load(Path file) throws IOException {
        return load(file, true);
    }

    public static LoadedModel load(Path file, boolean loadUpdater) throws IOException {
        String configuration = readConfigurationJson(file);
        ModelFileSafety.checkEntries(file);
        ModelFileSafety.checkClasses(file, configuration);
        // A ComputationGraph configuration lists vertices; a MultiLayerNetwork's does not.
        boolean graph = configuration.contains("\"vertices\"");
        ModelInfo info = readInfo(file);
        try {
            Model network = graph ? ModelSerializer.restoreComputationGraph(file.toFile(), loadUpdater)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), loadUpdater);
            return new LoadedModel(FastPath.apply(network), info);
        } catch (IOException e) {
            throw new IOException("cannot read model " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new IOException("cannot read model " + file + ": " + e
                    + (e instanceof OutOfMemoryError ? " (raise -Xmx, or -Dorg.bytedeco.javacpp.maxbytes for off-heap memory)" : ""),
                    e);
        }
    }

    /**
     * The per-layer summary of a model file, from its configuration alone (no weights are read).
     *
     * @param inputShape {channels, height, width}, or null to use the shape saved with the model
     */
    public static ModelSummary summarize(Path file, int[] inputShape) throws IOException {
        ModelInfo info = readInfo(file);
        int[] shape = inputShape != null ? inputShape : info != null ? info.inputShape() : null;
        if (shape == null) {
            throw new IOException(file + " does not record its input shape (not saved by vgg4j): give it, e.g. --input 3x224x224");
        }
        InputType input = InputType.convolutional(shape[1], shape[2], shape[0]);
        String name = info != null ? info.architecture() : file.getFileName().toString();
        String json = readConfigurationJson(file);
        try {
            return json.contains("\"vertices\"")
                    ? ModelSummary.of(ComputationGraphConfiguration.fromJson(json), input, name)
                    : ModelSummary.of(MultiLayerConfiguration.fromJson(json), input, name);
        } catch (RuntimeException e) {
            throw new IOException("cannot summarise " + file + " for input " + shape[0] + "x" + shape[1] + "x" + shape[2]
                    + ": " + e.getMessage(), e);
        }
    }

    private static String readConfigurationJson(Path file) throws IOException {
        byte[] json = readEntry(file, CONFIGURATION_ENTRY, MAX_JSON_BYTES);
        if (json == null) {
            throw new IOException(file + " is a zip archive but not a DL4J model (it has no " + CONFIGURATION_ENTRY + ")");
        }
        return new String(json, StandardCharsets.UTF_8);
    }

    private static void requireFile(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "model file not found");
        }
    }

    /** Reads only the info entry of a model file, without loading weights. */
    public static ModelInfo readInfo(Path file) throws IOException {
        byte[] json = readEntry(file, INFO_ENTRY, MAX_JSON_BYTES);
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
