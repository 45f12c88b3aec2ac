package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.datavec.BadDataException;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.SkippedFiles;
import io.github.vgg4j.datavec.TrainingData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Evaluate a saved model: accuracy, per class, confusion matrix.", "",
                "On the dataset's test split, or on all of it when it has none. Images are read as the model's own "
                        + "evaluation read them (the transform saved with it: input size, padding, crop, normalisation) "
                        + "and in its label order (classes matched by name).", ""},
        footer = {"", "Examples:",
                "  vgg evaluate --model fashion.zip \\",
                "      --data /usr/share/datasets/fashion-mnist",
                "  vgg evaluate --model cats.zip --data dogs-vs-cats/val --json"})
final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model saved by vgg train / finetune.")
    Path model;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", converter = Converters.AtLeastOne.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Mixin
    PrecisionOptions precision;

    @Option(names = "--json", description = "Print one JSON object (accuracy, perClassAccuracy, confusion) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Precision compute = precision.resolve(spec);
        ModelFiles.LoadedModel loaded = ModelFiles.load(model, false);
        ModelInfo info = loaded.info();
        if (info == null || info.labels().isEmpty()) {
            throw new IOException(model + " has no label names and preprocessing (not saved by vgg4j), which evaluate needs");
        }
        DataBundle bundle = dataOptions.open();
        ImageDataset data = bundle.test() != null ? bundle.test() : bundle.train();
        if (data == null) {
            throw new IOException(bundle.source() + " has no labelled images to evaluate on");
        }
        SkippedFiles skipped = new SkippedFiles();
        EvaluationReport report;
        try (ImageBatches batches = TrainingData.forModel(data, info, batch, skipped)) {
            report = Evaluator.evaluate(FastPath.apply(loaded.network(), compute), batches, info.labels());
        } catch (IllegalStateException e) {
            // "nothing to evaluate": say which data, and why its files gave no example
            throw new BadDataException(data.source() + ": " + e.getMessage() + (skipped.count() > 0 ? "; " + skipped : ""), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = report.toJson(Json.MAPPER);
            root.put("model", model.toString());
            root.put("data", data.source());
            root.set("skipped", Skipped.json(skipped));
            out.println(Json.write(root));
        } else {
            out.printf("%s on %s%n", model, data.source());
            out.print(report.toText());
            Skipped.print(out, skipped);
        }
        out.flush();
        return 0;
    }
}
