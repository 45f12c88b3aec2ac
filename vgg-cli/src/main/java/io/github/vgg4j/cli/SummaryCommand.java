package io.github.vgg4j.cli;

import io.github.vgg4j.core.ModelSummary;
import io.github.vgg4j.core.io.ModelFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "summary", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Print a VGG's layers: output shapes, parameters (trainable vs total), multiply-adds and "
                + "activation memory per image, with totals. Builds no weights, so even VGG19 at 224x224 is instant.", ""},
        footer = {"", "Examples:",
                "  vgg summary --config D                      # VGG16 as in the paper",
                "  vgg summary --config E --batch-norm --json  # VGG19-BN as JSON",
                "  vgg summary --config A --input 1x32x32 --classes 10 --head cifar --width 0.25",
                "  vgg summary --model model.zip               # a saved model"})
final class SummaryCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Summarise a saved model instead (its input shape is read from the file, or give --input).")
    Path model;

    @Option(names = "--json", description = "Print one JSON object (totalParams, trainableParams, layers) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelSummary summary;
        if (model != null) {
            summary = ModelFiles.summarize(model, architecture.input != null ? architecture.input.toArray() : null);
        } else {
            summary = architecture.builder().summary();
        }
        spec.commandLine().getOut().print(json ? summary.toJson() + System.lineSeparator() : summary.toText());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
