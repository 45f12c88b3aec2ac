package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.ImageFolder;
import io.github.vgg4j.datavec.SkippedFiles;
import io.github.vgg4j.datavec.Splits;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.cli.report.Activations;
import io.github.vgg4j.cli.report.FeatureMaps;
import io.github.vgg4j.cli.report.FeatureProjection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "inspect", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Look inside a trained VGG: project a layer's features (fc2 by default, the 4096-d codes the "
                + "VGG write-ups study) of a dataset to 2-D with PCA and plot them coloured by class, and render the "
                + "feature maps of a convolution layer for one image as a grid.", "",
                "Example: vgg inspect --model vgg-demo/model.zip --data /usr/share/datasets/fashion-mnist --out inspect", ""})
final class InspectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by vgg4j.")
    Path model;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--layer", paramLabel = "NAME", defaultValue = "fc2",
            description = "Layer whose features are projected. Default: ${DEFAULT-VALUE}.")
    String layer;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "2000",
            description = "Examples projected (a seeded sample of the test split, or of the training set). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--feature-maps", paramLabel = "LAYER", defaultValue = "block1_conv1",
            description = "Convolution or pooling layer whose maps are drawn. Default: ${DEFAULT-VALUE}.")
    String mapsLayer;

    @Option(names = "--image", paramLabel = "FILE",
            description = "Image for the feature maps. Default: the first projected example.")
    Path image;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "64", description = "Maps drawn at most. Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vgg-inspect", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (projection, featureMaps) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 3) {
            throw new IllegalArgumentException("--limit: a projection needs at least 3 examples, got " + limit);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("--channels: must be >= 1, got " + channels);
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image: " + image + " is not a file");
        }
        Outputs.requireWritableFolder(out, "--out");
        ModelFiles.LoadedModel loaded = ModelFiles.load(model, false);
        ModelInfo info = loaded.info();
        if (info == null || info.labels().isEmpty()) {
            throw new IOException(model + " has no label names and preprocessing (not saved by vgg4j), which inspect needs");
        }
        Activations.requireLayer(loaded.network(), layer, "--layer");
        Activations.requireLayer(loaded.network(), mapsLayer, "--feature-maps");
        DataBundle bundle = dataOptions.open();
        ImageDataset data = bundle.test() != null ? bundle.test() : bundle.train();
        if (data == null || data.labels().isEmpty()) {
            throw new IOException(bundle.source() + " has no labelled images to inspect");
        }
        int[] sample = Splits.limit(Splits.all(data), limit, seed);

        SkippedFiles skipped = new SkippedFiles();
        List<double[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        INDArray firstImage = null;
        try (ImageBatches batches = TrainingData.forModel(data, sample, info, 64, skipped)) {
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                if (firstImage == null) {
                    firstImage = ds.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
                }
                INDArray f = Activations.of(loaded.network(), layer, ds.getFeatures());
                f = f.reshape(f.size(0), f.length() / f.size(0));
                int[] y = ds.getLabels().argMax(1).toIntVector();
                for (int i = 0; i < y.length; i++) {
                    features.add(f.getRow(i).toDoubleVector());
                    labels.add(y[i]);
                }
            }
        }
        if (features.size() < 3) {
            throw new IOException(data.source() + ": only " + features.size() + " readable image(s); a projection needs 3");
        }
        FeatureProjection.Projection p = FeatureProjection.pca(features.toArray(double[][]::new), seed);
        String safe = layer.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path png = out.resolve("projection-" + safe + ".png");
        Path csv = out.resolve("projection-" + safe + ".csv");
        FeatureProjection.write(png, csv, String.format(Locale.ROOT, "%s features of %d images (PCA)", layer, features.size()),
                p, labels.stream().mapToInt(Integer::intValue).toArray(), info.labels());

        INDArray input = image != null ? read(image, info) : firstImage;
        String mapsSafe = mapsLayer.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path mapsPng = out.resolve("feature-maps-" + mapsSafe + ".png");
        int drawn = FeatureMaps.write(mapsPng, mapsLayer + " of " + (image != null ? image.getFileName() : "the first example"),
                Activations.of(loaded.network(), mapsLayer, input), channels);

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            ObjectNode proj = root.putObject("projection").put("layer", layer).put("examples", features.size())
                    .put("png", png.toString()).put("csv", csv.toString());
            proj.putArray("explainedVariance").add(p.explainedVariance()[0]).add(p.explainedVariance()[1]);
            root.putObject("featureMaps").put("layer", mapsLayer).put("channels", drawn).put("png", mapsPng.toString());
            root.set("skipped", Json.skipped(skipped));
            o.println(Json.write(root));
        } else {
            o.printf(Locale.ROOT, "%s: %d examples, PC1 %.1f%%, PC2 %.1f%% of the variance -> %s (%s)%n", layer, features.size(),
                    100 * p.explainedVariance()[0], 100 * p.explainedVariance()[1], png, csv.getFileName());
            o.printf("%s: %d feature maps -> %s%n", mapsLayer, drawn, mapsPng);
        }
        o.flush();
        return 0;
    }

    private static INDArray read(Path file, ModelInfo info) throws IOException {
        SkippedFiles skipped = new SkippedFiles();
        try (ImageBatches b = TrainingData.forModel(ImageFolder.files(List.of(file)), null, info, 1, skipped)) {
            if (!b.hasNext()) {
                throw new IOException("--image: " + skipped.entries().stream().map(e -> e.reason()).findFirst()
                        .orElse(file + " could not be read"));
            }
            return b.next().getFeatures();
        }
    }
}
