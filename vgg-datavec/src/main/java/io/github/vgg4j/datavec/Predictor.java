package io.github.vgg4j.datavec;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.Evaluator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Class probabilities for image files from a saved vgg4j model, read exactly as the model's own
 * evaluation read its data: the input size, crop fraction, padding, channels and preprocessing
 * saved with it ({@link TrainingData#evalFit(ModelInfo)}), so the accuracy on image files equals
 * {@code vgg evaluate}'s on the same images. Files that cannot be decoded are listed in
 * {@link #skipped()}.
 *
 * <pre>{@code
 * Predictor p = Predictor.open(Path.of("model.zip"));
 * for (Predictor.Prediction r : p.predict(List.of(Path.of("cat.jpg")))) {
 *     System.out.println(r.file() + " " + r.top(1).get(0).label());
 * }}</pre>
 */
public final class Predictor {
    private final Model network;
    private final ModelInfo info;
    private final List<String> labels;
    private final SkippedFiles skipped = new SkippedFiles();
    private int batchSize = 32;

    public Predictor(Model network, ModelInfo info) {
        this.network = network;
        this.info = info;
        this.labels = info.labels().isEmpty() ? IntStream.range(0, outputs(network)).mapToObj(String::valueOf).toList()
                : info.labels();
    }

    /** Loads a model file saved by vgg4j (it carries the input shape, labels and preprocessing). */
    public static Predictor open(Path modelFile) throws IOException {
        ModelFiles.LoadedModel loaded = ModelFiles.load(modelFile, false);
        if (loaded.info() == null) {
            throw new IOException(modelFile + " has no input shape, labels and preprocessing (not saved by vgg4j), which"
                    + " prediction needs");
        }
        return new Predictor(loaded.network(), loaded.info());
    }

    /** What the network's kernels compute in ({@link FastPath#apply(Model, Precision)}); the file's weights are float32 either way. */
    public Predictor precision(Precision precision) {
        FastPath.apply(network, precision);
        return this;
    }

    public Predictor batchSize(int b) {
        if (b < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + b);
        }
        this.batchSize = b;
        return this;
    }

    public List<String> labels() {
        return labels;
    }

    public ModelInfo info() {
        return info;
    }

    /** Files that could not be read, with the reason (they get no prediction). */
    public SkippedFiles skipped() {
        return skipped;
    }

    /** One image's probabilities, in the order of {@link #labels()}. */
    public record Prediction(String file, double[] probabilities, List<String> labels) {
        public record Ranked(int index, String label, double probability) {
        }

        /** The {@code k} most probable classes, most probable first. */
        public List<Ranked> top(int k) {
            return IntStream.range(0, probabilities.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -probabilities[c]))
                    .limit(Math.min(k, probabilities.length)).map(c -> new Ranked(c, labels.get(c), probabilities[c])).toList();
        }

        /** The probability of the class named {@code label}. */
        public double probability(String label) {
            int i = labels.indexOf(label);
            if (i < 0) {
                throw new IllegalArgumentException("no class named '" + label + "'; the model's classes are " + labels);
            }
            return probabilities[i];
        }
    }

    /**
     * Predicts image files (and the images inside folders), read with the model's own transform.
     *
     * @throws BadDataException when not one image could be read (each is named in {@link #skipped()} and the message)
     */
    public List<Prediction> predict(List<Path> files) throws IOException {
        return predict(files, TrainingData.evalFit(info));
    }

    /**
     * As {@link #predict(List)}, with another crop fraction: the shorter side resized to
     * {@code size / cropPct} before the centre crop (torchvision and timm use 0.875).
     */
    public List<Prediction> predict(List<Path> files, double cropPct) throws IOException {
        return predict(files, TrainingData.evalFit(info, cropPct));
    }

    private List<Prediction> predict(List<Path> files, Fit fit) throws IOException {
        List<Prediction> out = new ArrayList<>();
        try (ImageBatches batches = ImageBatches.builder(ImageFolder.files(files)).batchSize(batchSize)
                .fit(fit).preprocessing(info.preprocessing()).skipped(skipped).build()) {
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                INDArray p = Evaluator.predict(network, ds.getFeatures());
                for (int i = 0; i < p.rows(); i++) {
                    out.add(new Prediction((String) ds.getExampleMetaData().get(i), p.getRow(i).toDoubleVector(), labels));
                }
            }
        }
        if (out.isEmpty()) {
            // every image was skipped: no prediction is not a result
            throw new BadDataException("no image of " + files + " could be read: " + skipped);
        }
        return out;
    }

    private static int outputs(Model m) {
        if (m instanceof MultiLayerNetwork n) {
            return (int) n.getLayer(n.getnLayers() - 1).getParam("b").length();
        }
        ComputationGraph g = (ComputationGraph) m;
        return (int) g.getLayer(g.getConfiguration().getNetworkOutputs().get(0)).getParam("b").length();
    }
}
