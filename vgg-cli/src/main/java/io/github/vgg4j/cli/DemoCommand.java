package io.github.vgg4j.cli;

import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.datavec.internal.DatasetCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Train a small VGG on a shipped Fashion-MNIST sample (a few minutes).", "",
                "The embedded default: a narrow VGG11 with batch norm on 5,000 real images (Fashion-MNIST, MIT licence, "
                        + "Zalando Research), a few minutes on 2 cores; prints its test accuracy and writes the model and "
                        + "its plots. It is 'vgg train' with fixed options (below).", ""})
final class DemoCommand implements Callable<Integer> {
    static final String RESOURCE = "/io/github/vgg4j/cli/demo/fashion-mnist-sample/";
    static final String SAMPLE = "fashion-mnist-sample-v1";
    static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "labels.txt", "LICENSE");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vgg-demo",
            description = "Where the model and the plots go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "8", converter = Converters.Epochs.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--json", description = "Print train's JSON result on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path data = sample();
        spec.commandLine().getErr().printf("vgg demo: data %s (a sample of Fashion-MNIST), output %s%n", data, out);
        List<String> args = trainArguments(data, out, epochs);
        if (json) {
            args.add("--json");
        }
        CommandLine train = VggCli.commandLine();
        train.setOut(spec.commandLine().getOut());
        train.setErr(spec.commandLine().getErr());
        int status = train.execute(args.toArray(String[]::new));
        if (status == 0 && !json) {
            spec.commandLine().getOut().printf("%nplots: %s (loss.png, accuracy.png, confusion.png, predictions.png, ...)%n"
                    + "model: %s%n", out.resolve("plots"), out.resolve("model.zip"));
            spec.commandLine().getOut().flush();
        }
        return status;
    }

    /** The {@code vgg train} the demo is. */
    static List<String> trainArguments(Path data, Path out, int epochs) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--config", "A", "--batch-norm",
                "--width", "0.25", "--input", "1x32x32", "--epochs", String.valueOf(epochs), "--batch", "64",
                // a validation split so the curves show overfitting; cosine decay suits a fixed, short budget
                "--val-fraction", "0.1", "--lr", "0.05", "--lr-schedule", "cosine:0.001", "--dropout", "0",
                "--out", out.resolve("model.zip").toString(), "--plots", out.resolve("plots").toString()));
    }

    /** The help's footer: the train command the demo runs and what to try next, as commands that paste. */
    static String[] footer() {
        Path data = DatasetCache.root().resolve("demo").resolve(SAMPLE);
        Path out = Path.of("vgg-demo");
        List<String> lines = new ArrayList<>(List.of("", "It runs:"));
        lines.addAll(HelpText.command("vgg", trainArguments(data, out, 8)));
        lines.add("Then try:");
        lines.addAll(HelpText.command("vgg", List.of("evaluate", "--model", out.resolve("model.zip").toString(), "--data",
                data.toString())));
        lines.addAll(HelpText.command("vgg", List.of("inspect", "--model", out.resolve("model.zip").toString(), "--data",
                data.toString(), "--out", "vgg-inspect")));
        return lines.toArray(String[]::new);
    }

    /** The shipped sample, copied once into the dataset cache (atomically: complete or absent). */
    static Path sample() throws IOException {
        Path target = DatasetCache.root().resolve("demo").resolve(SAMPLE);
        if (Files.isRegularFile(target.resolve("LICENSE"))) {
            return target;
        }
        Path tmp = Files.createDirectories(target.getParent()).resolve(".fashion-mnist-sample-" + ProcessHandle.current().pid());
        Files.createDirectories(tmp);
        for (String name : FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCE + name)) {
                if (in == null) {
                    throw new IOException("the demo data " + RESOURCE + name + " is missing from the vgg-cli jar");
                }
                Files.copy(in, tmp.resolve(name));
            }
        }
        try {
            AtomicFiles.move(tmp, target);
        } catch (IOException e) {
            if (!Files.isRegularFile(target.resolve("LICENSE"))) {
                throw e;
            }
            // another process put it there first
        }
        return target;
    }
}
