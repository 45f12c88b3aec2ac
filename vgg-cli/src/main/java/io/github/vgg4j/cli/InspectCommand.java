package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.ImageFolder;
import io.github.vgg4j.datavec.SkippedFiles;
import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.cli.report.Activations;
import io.github.vgg4j.cli.report.FeatureMaps;
import io.github.vgg4j.cli.report.FeatureProjection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
        description = {"Look inside a trained VGG: features in 2-D, an image's feature maps.", "",
                "Projects a layer's features of a dataset's images (fc2 by default: the codes the VGG write-ups study, "
                        + "4096 values per image in the paper's networks, fewer in a narrow one; the output says how many) "
                        + "to 2-D with PCA and plots them coloured by class, and draws the feature maps of a convolution or "
                        + "pooling layer for one image as a grid.", ""},
        footer = {"", "Examples:",
                "  vgg inspect --model vgg-demo/model.zip \\",
                "      --data /usr/share/datasets/fashion-mnist --out inspect",
                "  vgg inspect --model fashion.zip --data /usr/share/datasets/fashion-mnist \\",
                "      --layer fc1 --feature-maps block2_conv1 --image shoe.png --out inspect"})
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

    @Option(names = "--limit", paramLabel = "N", defaultValue = "2000", converter = Converters.AtLeastThree.class,
            description = "Examples projected (a seeded sample of the test split, or of the training set). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--feature-maps", paramLabel = "LAYER", defaultValue = "block1_conv1",
            description = "Convolution or pooling layer whose maps are drawn. Default: ${DEFAULT-VALUE}.")
    String mapsLayer;

    @Option(names = "--image", paramLabel = "FILE",
            description = "Image for the feature maps. Default: the first projected example.")
    Path image;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "64", converter = Converters.AtLeastOne.class,
            description = "Maps drawn at most. Default: ${DEFAULT-VALUE}.")
    int channels;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seeds the sample of examples projected. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vgg-inspect", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (projection, featureMaps) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (image != null && !Files.isRegularFile(image)) {
            throw Usage.error(spec, "--image: " + image + " is not a file");
        }
        Outputs.requireWritableFolder(out, "--out");
        ModelFiles.LoadedModel loaded = ModelFiles.load(model, false);
        ModelInfo info = loaded.info();
        if (info == null || info.labels().isEmpty()) {
            throw new IOException(model + " has no label names and preprocessing (not saved by vgg4j), which inspect needs");
        }
        try {
            Activations.requireLayer(loaded.network(), layer, "--layer");
            Activations.requireLayer(loaded.network(), mapsLayer, "--feature-maps");
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, e.getMessage()); // the message names the option and the model's layers
        }
        ImageDataset data = labelledImages(dataOptions.open());
        SkippedFiles skipped = new SkippedFiles();
        Features features = features(loaded, info, data, skipped);
        Projection projection = project(features, info);
        INDArray input = image != null ? read(image, info) : features.firstImage();
        Path mapsPng = out.resolve("feature-maps-" + fileName(mapsLayer) + ".png");
        INDArray maps = Activations.of(loaded.network(), mapsLayer, input);
        int drawn;
        try {
            drawn = FeatureMaps.write(mapsPng, mapsLayer + " of " + (image != null ? image.getFileName() : "the first example"),
                    maps, channels);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--feature-maps " + mapsLayer + ": " + e.getMessage()); // a layer without maps
        }
        report(features, projection, drawn, mapsPng, skipped);
        return 0;
    }

    private static ImageDataset labelledImages(DataBundle bundle) throws IOException {
        ImageDataset data = bundle.test() != null ? bundle.test() : bundle.train();
        if (data == null || data.labels().isEmpty()) {
            throw new IOException(bundle.source() + " has no labelled images to inspect");
        }
        return data;
    }

    /** The --layer features of a seeded sample, one row per image, with their classes and the first image read. */
    private record Features(double[][] rows, int[] labels, INDArray firstImage) {
        int dimensions() {
            return rows[0].length;
        }
    }

    private Features features(ModelFiles.LoadedModel loaded, ModelInfo info, ImageDataset data, SkippedFiles skipped)
            throws IOException {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        INDArray firstImage = null;
        try (ImageBatches batches = TrainingData.forModel(data, Splits.limit(Splits.all(data), limit, seed), info, 64, skipped)) {
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                if (firstImage == null) {
                    firstImage = ds.getFeatures().get(NDArrayIndex.interval(0, 1)).dup();
                }
                INDArray f = Activations.of(loaded.network(), layer, ds.getFeatures());
                f = f.reshape(f.size(0), f.length() / f.size(0));
                int[] y = ds.getLabels().argMax(1).toIntVector();
                for (int i = 0; i < y.length; i++) {
                    rows.add(f.getRow(i).toDoubleVector());
                    labels.add(y[i]);
                }
            }
        }
        if (rows.size() < 3) {
            throw new IOException(data.source() + ": only " + rows.size() + " readable image(s); a projection needs 3");
        }
        return new Features(rows.toArray(double[][]::new), labels.stream().mapToInt(Integer::intValue).toArray(), firstImage);
    }

    private record Projection(FeatureProjection.Projection pca, Path png, Path csv) {
    }

    private Projection project(Features features, ModelInfo info) throws IOException {
        FeatureProjection.Projection p = FeatureProjection.pca(features.rows(), seed);
        Path png = out.resolve("projection-" + fileName(layer) + ".png");
        Path csv = out.resolve("projection-" + fileName(layer) + ".csv");
        FeatureProjection.write(png, csv, String.format(Locale.ROOT, "%s (%d-d) of %d images, PCA", layer,
                features.dimensions(), features.rows().length), p, features.labels(), info.labels());
        return new Projection(p, png, csv);
    }

    private void report(Features features, Projection projection, int drawn, Path mapsPng, SkippedFiles skipped) {
        PrintWriter o = spec.commandLine().getOut();
        double[] variance = projection.pca().explainedVariance();
        if (json) {
            ObjectNode root = Json.object();
            ObjectNode proj = root.putObject("projection").put("layer", layer).put("examples", features.rows().length)
                    .put("dimensions", features.dimensions()).put("png", projection.png().toString())
                    .put("csv", projection.csv().toString());
            proj.putArray("explainedVariance").add(variance[0]).add(variance[1]);
            root.putObject("featureMaps").put("layer", mapsLayer).put("channels", drawn).put("png", mapsPng.toString());
            root.set("skipped", Skipped.json(skipped));
            o.println(Json.write(root));
        } else {
            o.printf(Locale.ROOT, "%s: %d examples of %d-d features, PC1 %.1f%%, PC2 %.1f%% of the variance -> %s (%s)%n",
                    layer, features.rows().length, features.dimensions(), 100 * variance[0], 100 * variance[1],
                    projection.png(), projection.csv().getFileName());
            o.printf("%s: %d feature maps -> %s%n", mapsLayer, drawn, mapsPng);
            Skipped.print(o, skipped);
        }
        o.flush();
    }

    private static String fileName(String layerName) {
        return layerName.replaceAll("[^A-Za-z0-9_.-]", "_");
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
