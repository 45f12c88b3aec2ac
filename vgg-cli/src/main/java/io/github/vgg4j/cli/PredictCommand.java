package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.cli.report.Csv;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.datavec.KaggleSubmission;
import io.github.vgg4j.datavec.Predictor;
import io.github.vgg4j.datavec.SkippedFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Classify image files, read exactly as the model's evaluation reads.", "",
                "The transform saved with the model is used: its input size and channels, its padding (CIFAR-10 and idx "
                        + "models pad smaller images: a 28x28 PNG is padded to 32x32), its crop (1.0 for CIFAR-10 and idx, "
                        + "0.875 for image folders and imported weights: the shorter side resized to size / crop, then the "
                        + "centre crop), its normalisation and its label names. The accuracy on image files equals vgg "
                        + "evaluate's on the same images.", ""},
        footer = {"", "Examples:",
                "  vgg predict --model fashion.zip --top 3 shirt.png",
                "  vgg predict --model cats.zip --kaggle-csv submission.csv \\",
                "      dogs-vs-cats/test1",
                "  vgg predict --model cats.zip --json --crop-pct 1 photos/"})
final class PredictCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by vgg train, finetune or import.")
    Path model;

    @Parameters(paramLabel = "IMAGE|FOLDER", arity = "1..*", description = "Image files, and folders searched recursively.")
    List<Path> inputs;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", converter = Converters.AtLeastOne.class,
            description = "Classes shown per image. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--crop-pct", paramLabel = "P", converter = Converters.CropPct.class,
            description = "Override the model's crop: resize the shorter side to size / P before the centre crop (1: "
                    + "images already at the input size are unchanged; torchvision and timm use 0.875). Default: the "
                    + "model's own.")
    Double cropPct;

    @Option(names = "--csv", paramLabel = "OUT", description = "Write file, predicted label and every class's probability.")
    Path csv;

    @Option(names = "--kaggle-csv", paramLabel = "OUT",
            description = "Write a Kaggle submission: id,label sorted by numeric id, label = the probability of the positive "
                    + "class (dogs-vs-cats: P(dog)).")
    Path kaggleCsv;

    @Option(names = "--positive-class", paramLabel = "NAME",
            description = "With --kaggle-csv: the class whose probability is written. Default for a two-class model: dog if "
                    + "it has that class, else its second; a model of more classes needs it.")
    String positiveClass;

    @Option(names = "--clip", paramLabel = "EPS", defaultValue = "0.005", converter = Converters.Clip.class,
            description = "Clip Kaggle probabilities to [EPS, 1-EPS] (log loss). Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", converter = Converters.AtLeastOne.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Mixin
    PrecisionOptions precision;

    @Option(names = "--json", description = "Print one JSON object {\"predictions\": [{\"file\", \"top\": [{\"index\", \"label\", "
            + "\"probability\"}]}]} on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (positiveClass != null && kaggleCsv == null) {
            throw Usage.error(spec, "--positive-class applies to --kaggle-csv (the class whose probability it writes)");
        }
        for (Path out : new Path[] {csv, kaggleCsv}) {
            if (out != null) {
                Outputs.requireWritableFile(out, out == csv ? "--csv" : "--kaggle-csv");
            }
        }
        Precision compute = precision.resolve(spec);
        Predictor predictor = Predictor.open(model).batchSize(batch).precision(compute);
        if (kaggleCsv != null) {
            kaggleRows(predictor.labels(), List.of()); // the positive class is checked before any image is read
        }
        List<Predictor.Prediction> predictions = cropPct == null ? predictor.predict(inputs) : predictor.predict(inputs, cropPct);
        write(predictions, predictor.labels(), predictor.skipped());
        return 0;
    }

    private void write(List<Predictor.Prediction> predictions, List<String> labels, SkippedFiles skipped) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int k = Math.min(top, labels.size());
        if (json) {
            ObjectNode root = Json.object();
            ArrayNode list = root.putArray("predictions");
            for (Predictor.Prediction p : predictions) {
                ObjectNode n = list.addObject().put("file", p.file());
                ArrayNode t = n.putArray("top");
                for (Predictor.Prediction.Ranked r : p.top(k)) {
                    t.addObject().put("index", r.index()).put("label", r.label()).put("probability", r.probability());
                }
            }
            root.set("skipped", Skipped.json(skipped));
            out.println(Json.write(root));
        } else {
            for (Predictor.Prediction p : predictions) {
                out.println(p.file());
                for (Predictor.Prediction.Ranked r : p.top(k)) {
                    out.printf(Locale.ROOT, "  %-20s %.4f%n", r.label(), r.probability());
                }
            }
            skipped.entries().forEach(e -> out.printf("skipped %s: %s%n", e.id(), e.reason()));
        }
        out.flush();
        if (csv != null) {
            List<String> header = new ArrayList<>(List.of("file", "label", "probability"));
            header.addAll(labels);
            List<List<String>> rows = new ArrayList<>();
            for (Predictor.Prediction p : predictions) {
                Predictor.Prediction.Ranked best = p.top(1).get(0);
                List<String> row = new ArrayList<>(List.of(p.file(), best.label(), probability(best.probability())));
                for (double v : p.probabilities()) {
                    row.add(probability(v));
                }
                rows.add(row);
            }
            AtomicFiles.writeString(csv, Csv.write(header, rows));
        }
        if (kaggleCsv != null) {
            List<KaggleSubmission.Row> rows = kaggleRows(labels, predictions);
            try {
                KaggleSubmission.write(kaggleCsv, rows, clip);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--kaggle-csv: " + e.getMessage()); // files whose names are not Kaggle's numeric ids
            }
        }
    }

    /** The positive class's probabilities, by the library's rule; a model it does not fit is a usage error. */
    private List<KaggleSubmission.Row> kaggleRows(List<String> labels, List<Predictor.Prediction> predictions) {
        try {
            return KaggleSubmission.rows(labels, predictions, positiveClass);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, positiveClass != null ? "--positive-class: " + e.getMessage()
                    : "--kaggle-csv: " + model + ": " + e.getMessage() + " with --positive-class NAME");
        }
    }

    private static String probability(double p) {
        return String.format(Locale.ROOT, "%.6f", p);
    }
}
