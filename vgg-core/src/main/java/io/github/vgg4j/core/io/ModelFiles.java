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

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Saves and loads models as DL4J model zips (readable by plain {@code ModelSerializer}) with a
 * {@value #INFO_ENTRY} entry for labels, input shape and preprocessing. Saving is atomic: the zip is
 * written beside the target and moved into place only when complete, so a crash or a full disk
 * never leaves a half-written model where the previous one was.
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
        AtomicFiles.write(file, tmp -> {
            ModelSerializer.writeModel(model, tmp.toFile(), saveUpdater);
            if (info != null) {
                // zipfs copies the existing (compressed) entries as they are: adding the info is cheap.
                try (FileSystem zip = FileSystems.newFileSystem(tmp, Map.of())) {
                    Files.write(zip.getPath(INFO_ENTRY), JSON.writeValueAsBytes(info));
                }
            }
        });
    }

    /** Loads a model zip written by {@link #save} or by DL4J's {@code ModelSerializer}. */
    public static LoadedModel load(Path file) throws IOException {
        return load(file, true);
    }

    public static LoadedModel load(Path file, boolean loadUpdater) throws IOException {
        // A ComputationGraph configuration lists vertices; a MultiLayerNetwork's does not.
        boolean graph = readConfigurationJson(file).contains("\"vertices\"");
        ModelInfo info = readInfo(file);
        FastPath.install();
        try {
            Model network = graph ? ModelSerializer.restoreComputationGraph(file.toFile(), loadUpdater)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), loadUpdater);
            return new LoadedModel(FastPath.apply(network), info);
        } catch (IOException e) {
            throw new IOException("cannot read model " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot read model " + file + ": " + e, e);
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
        requireFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry conf = zip.getEntry(CONFIGURATION_ENTRY);
            if (conf == null) {
                throw new IOException(file + " is a zip archive but not a DL4J model (it has no " + CONFIGURATION_ENTRY + ")");
            }
            try (InputStream in = zip.getInputStream(conf)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (ZipException e) {
            throw new IOException(file + " is not a model file (not a zip archive: " + e.getMessage() + ")", e);
        }
    }

    private static void requireFile(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "model file not found");
        }
    }

    /** Reads only the info entry of a model file, without loading weights. */
    public static ModelInfo readInfo(Path file) throws IOException {
        requireFile(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(INFO_ENTRY);
            if (e == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(e)) {
                return JSON.readValue(in, ModelInfo.class);
            } catch (IOException | RuntimeException ex) {
                throw new IOException(file + ": entry " + INFO_ENTRY + " is not valid model info: " + ex.getMessage(), ex);
            }
        } catch (ZipException e) {
            throw new IOException(file + " is not a model file (not a zip archive: " + e.getMessage() + ")", e);
        }
    }
}
