package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.io.AtomicFiles;
import io.github.vgg4j.datavec.KaggleSubmission;
import io.github.vgg4j.datavec.Predictor;
import io.github.vgg4j.datavec.SkippedFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
            description = "Write a Kaggle dogs-vs-cats submission: id,label sorted by numeric id, label = P(dog) (or of class 1).")
    Path kaggleCsv;

    @Option(names = "--clip", paramLabel = "EPS", defaultValue = "0.005", converter = Converters.Clip.class,
            description = "Clip Kaggle probabilities to [EPS, 1-EPS] (log loss). Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", converter = Converters.AtLeastOne.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--json", description = "Print one JSON object {\"predictions\": [{\"file\", \"top\": [{\"index\", \"label\", "
            + "\"probability\"}]}]} on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (Path out : new Path[] {csv, kaggleCsv}) {
            if (out != null) {
                Outputs.requireWritableFile(out, out == csv ? "--csv" : "--kaggle-csv");
            }
        }
        Predictor predictor = Predictor.open(model).batchSize(batch);
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
            StringBuilder b = new StringBuilder("file,label,probability");
            labels.forEach(l -> b.append(',').append(quote(l)));
            b.append('\n');
            for (Predictor.Prediction p : predictions) {
                Predictor.Prediction.Ranked best = p.top(1).get(0);
                b.append(quote(p.file())).append(',').append(quote(best.label())).append(',')
                        .append(String.format(Locale.ROOT, "%.6f", best.probability()));
                for (double v : p.probabilities()) {
                    b.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                }
                b.append('\n');
            }
            AtomicFiles.writeString(csv, b.toString());
        }
        if (kaggleCsv != null) {
            int dog = labels.indexOf("dog") >= 0 ? labels.indexOf("dog") : 1;
            List<KaggleSubmission.Row> rows = new ArrayList<>();
            for (Predictor.Prediction p : predictions) {
                rows.add(new KaggleSubmission.Row(KaggleSubmission.id(p.file()), p.probabilities()[dog]));
            }
            try {
                KaggleSubmission.write(kaggleCsv, rows, clip);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--kaggle-csv: " + e.getMessage(), e);
            }
        }
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
