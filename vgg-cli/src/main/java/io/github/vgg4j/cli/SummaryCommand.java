package io.github.vgg4j.cli;

import io.github.vgg4j.core.ModelSummary;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "summary", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Print a VGG's layers, parameters, multiply-adds and memory.", "",
                "Parameters are split into trainable and total, multiply-adds and activation memory are per image, with "
                        + "totals. Builds no weights, so even VGG19 at 224x224 is instant. With --model, the saved "
                        + "model's own architecture and input are summarised, and the builder options are refused.", ""},
        footer = {"", "Examples:",
                "  vgg summary --config D                      # VGG16 as in the paper",
                "  vgg summary --config E --batch-norm --json  # VGG19-BN as JSON",
                "  vgg summary --config A --input 1x32x32 --classes 10 --head cifar \\",
                "      --width 0.25",
                "  vgg summary --model model.zip               # a saved model"})
final class SummaryCommand implements Callable<Integer> {
    /** The builder options, which describe a network to build: a saved model has its own. */
    private static final List<String> BUILDER_OPTIONS = List.of("--config", "--batch-norm", "--classes", "--head", "--width");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Summarise a saved model instead: its architecture and input shape are read from the file "
                    + "(--input only for a DL4J model that does not record its input).")
    Path model;

    @Option(names = "--json", description = "Print one JSON object (totalParams, trainableParams, layers) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelSummary summary = model != null ? savedModel() : architecture.builder().summary();
        spec.commandLine().getOut().print(json ? summary.toJson() + System.lineSeparator() : summary.toText());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** A saved model is summarised as it is: options that would describe another network are refused. */
    private ModelSummary savedModel() throws IOException {
        ModelInfo info = ModelFiles.readInfo(model);
        for (String option : BUILDER_OPTIONS) {
            if (Usage.given(spec, option)) {
                throw Usage.error(spec, option + " does not apply to a saved model: " + model + " has its own "
                        + (info == null ? "architecture" : "architecture (" + info.architecture() + ", input "
                        + InputShape.of(info.inputShape()) + (info.labels().isEmpty() ? "" : ", " + info.labels().size()
                        + " classes") + ")"));
            }
        }
        if (architecture.input != null && info != null) {
            throw Usage.error(spec, "--input does not apply: " + model + " was built for input " + InputShape.of(info.inputShape())
                    + " (" + info.architecture() + "), which is what it is summarised for");
        }
        return ModelFiles.summarize(model, architecture.input != null ? architecture.input.toArray() : null);
    }
}
