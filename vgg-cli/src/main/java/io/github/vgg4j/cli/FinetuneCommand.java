package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.SkippedFiles;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.FineTuneResult;
import io.github.vgg4j.transfer.FineTuner;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "finetune", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Fine-tune a pretrained VGG on your classes.", "",
                "A new 'predictions' layer sized to the data's classes, the layers up to and including --freeze-through "
                        + "frozen, the rest trained. The images are read as the pretrained weights expect (their input size "
                        + "and preprocessing), and the model is saved with both. By default the frozen part runs once over "
                        + "the data and its features are cached on disk, so the head trains in many fast epochs; "
                        + "--unfreeze-epochs then trains the last frozen block too, at a lower learning rate.", ""},
        footer = {"", "Examples:",
                "  vgg finetune --base zoo:vgg16 --data flowers/ --epochs 20 --out flowers.zip",
                "  vgg finetune --base vgg16-tv.zip --data dogs-vs-cats/train \\",
                "      --freeze-through fc2 --limit-train 2000",
                "  vgg finetune --base zoo:vgg19 --data birds/ --fc 256 --unfreeze-epochs 2",
                "  # continue fine-tuning a saved model (same classes):",
                "  vgg finetune --base flowers.zip --data flowers/ --resume --epochs 5"})
final class FinetuneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", paramLabel = "FILE|zoo:vgg16|zoo:vgg19", required = true,
            description = "The pretrained network: zoo:vgg16, zoo:vgg16:cifar10, zoo:vgg16:vggface, zoo:vgg19 (DL4J's files, "
                    + "from DL4J's cache or downloaded), a model .zip (vgg train/import/finetune, or DL4J), a Keras .h5 or "
                    + "torchvision .safetensors.")
    String base;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--freeze-through", paramLabel = "LAYER", defaultValue = "block5_pool",
            description = "Freeze the layers up to and including LAYER: block5_pool (all convolutions), fc2 (all but the new "
                    + "predictions), block4_pool (fine-tune block 5 too). Default: ${DEFAULT-VALUE}.")
    String freezeThrough;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", converter = Converters.Epochs.class,
            description = "Epochs of the head. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--featurize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train the head on cached features of the frozen part (default), or through the frozen layers.")
    boolean featurize;

    @Option(names = "--fc", paramLabel = "W[,W...]", split = ",", converter = Converters.AtLeastOne.class,
            description = "New hidden layers fc1, fc2, ... of these widths replacing the base's (e.g. 256). Default: keep them.")
    int[] fc;

    @Option(names = "--unfreeze-epochs", paramLabel = "N", defaultValue = "0", converter = Converters.AtLeastZero.class,
            description = "Then train N epochs with the last frozen block unfrozen, at learning rate x 0.1. Default: 0.")
    int unfreezeEpochs;

    @Option(names = "--unfreeze-through", paramLabel = "LAYER",
            description = "Freeze point of that second stage. Default: the pool of the block before --freeze-through.")
    String unfreezeThrough;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.001", converter = Converters.LearningRate.class,
            description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", converter = Converters.Momentum.class,
            description = "Nesterov momentum. Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "5e-4", converter = Converters.WeightDecay.class,
            description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", converter = Converters.AtLeastOne.class,
            description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Mixin
    LimitOptions limits;

    @Option(names = "--val-fraction", paramLabel = "F", converter = Converters.ValFraction.class,
            description = "Hold out a stratified validation split. Default: 0.1 without a test set, 0 with one.")
    Double valFraction;

    @Mixin
    AugmentationOptions augmentation;

    @Mixin
    SeedOptions seed;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where cached features go. Default: <dataset cache>/features.")
    Path cacheDir;

    @Option(names = "--preprocessing", paramLabel = "NAME", converter = Converters.PreprocessingName.class,
            description = "For a plain DL4J .zip base that does not record it: caffe-imagenet, torchvision-imagenet, unit-scale, cifar10.")
    Preprocessing preprocessing;

    @Option(names = "--resume", description = "Continue fine-tuning a model saved by vgg finetune: keep its head (the data must "
            + "have the same classes).")
    boolean resume;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "vgg-finetuned.zip", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    PrecisionOptions precision;

    @Option(names = "--json", description = "Print one JSON object (testAccuracy, valAccuracy, epochs, featurize, ...) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        boolean augment = augmentation.on(false);
        if (augment && featurize) {
            throw Usage.error(spec, "--augment needs --no-featurize: cached features are computed once, from "
                    + "un-augmented images");
        }
        Outputs.requireWritableFile(out, "--out");
        Precision compute = precision.resolve(spec);
        DataBundle bundle = dataOptions.open();
        PretrainedModel pretrained = openBase();
        FineTuner tuner = tuner(fineTune(pretrained).precision(compute), augment);
        err.printf(Locale.ROOT, "vgg finetune: %s (%s, input %s, %s) on %s, %s; freeze through %s%n", base,
                pretrained.isGraph() ? "ComputationGraph" : "MultiLayerNetwork", shape(pretrained.inputShape()),
                pretrained.preprocessing().name(), bundle.source(), bundle.format(), freezeThrough);
        err.flush();
        FineTuneResult r = tuner.progress(new EpochLines(err)).fit(bundle);
        r.model().save(out);
        report(r, err);
        return 0;
    }

    /** The network: the base with its freeze point, a new head and the optimiser's settings. */
    private FineTune fineTune(PretrainedModel pretrained) {
        FineTune fineTune = FineTune.of(pretrained).keepHead(resume).learningRate(lr).momentum(momentum)
                .weightDecay(weightDecay).seed(seed.seed);
        layer("--freeze-through", () -> fineTune.freezeThrough(freezeThrough));
        if (fc != null) {
            fineTune.hiddenLayers(fc);
        }
        return fineTune;
    }

    /** How it trains: epochs, batches, which examples, the second stage. */
    private FineTuner tuner(FineTune fineTune, boolean augment) {
        FineTuner tuner = FineTuner.of(fineTune).featurize(featurize).augment(augment).seed(seed.seed).epochs(epochs)
                .unfreezeEpochs(unfreezeEpochs).batchSize(batch).limitTrain(limits.limitTrain)
                .trainFraction(limits.trainFraction);
        if (valFraction != null) {
            tuner.validationFraction(valFraction);
        }
        if (unfreezeThrough != null) {
            layer("--unfreeze-through", () -> tuner.unfreezeThrough(unfreezeThrough));
        }
        if (cacheDir != null) {
            tuner.cacheDirectory(cacheDir);
        }
        return tuner;
    }

    /** A layer name the base may not have: a usage error naming the option and the base's layers. */
    private void layer(String option, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, option + ": " + e.getMessage());
        }
    }

    private PretrainedModel openBase() throws Exception {
        String b = base.trim();
        if (b.toLowerCase(Locale.ROOT).startsWith("zoo:")) {
            try {
                return Pretrained.open(b);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--base: " + e.getMessage()); // an unknown zoo model or weights
            }
        }
        // a file: what is wrong with it is a failure (exit 1), not a usage error
        Path p = Path.of(b);
        if (!Files.exists(p)) {
            throw new java.nio.file.NoSuchFileException(b);
        }
        if (preprocessing != null && !b.toLowerCase(Locale.ROOT).endsWith(".h5")
                && !b.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return Pretrained.saved(p, preprocessing);
        }
        return Pretrained.open(b);
    }

    private void report(FineTuneResult r, PrintWriter err) {
        PrintWriter o = spec.commandLine().getOut();
        double test = r.test() == null ? Double.NaN : r.test().accuracy();
        double val = r.validation() == null ? Double.NaN : r.validation().accuracy();
        if (json) {
            ObjectNode root = Json.object();
            Json.put(root, "testAccuracy", test);
            Json.put(root, "valAccuracy", val);
            root.put("model", out.toString());
            root.put("base", base);
            root.put("freezeThrough", r.model().freezeThrough());
            root.put("frozenLayers", r.model().frozenLayers().size());
            root.put("trainableParams", r.model().trainableParams());
            root.put("trainExamples", r.trainExamples());
            ArrayNode labels = root.putArray("labels");
            r.model().info().labels().forEach(labels::add);
            root.set("epochs", epochs(r.headEpochs()));
            root.set("unfrozenEpochs", epochs(r.unfrozenEpochs()));
            if (r.featurization() != null) {
                ObjectNode f = root.putObject("featurize");
                f.put("cacheHit", r.featurization().cacheHit());
                f.put("seconds", r.featurization().seconds());
                f.put("file", r.featurization().file().toString());
                f.put("examples", r.featurization().examples());
                ArrayNode s = f.putArray("featureShape");
                for (long d : r.featurization().featureShape()) {
                    s.add(d);
                }
            } else {
                root.putNull("featurize");
            }
            if (r.test() != null) {
                root.set("test", r.test().toJson(Json.MAPPER));
            }
            root.set("skipped", Skipped.json(skipped(r)));
            o.println(Json.write(root));
        } else {
            if (r.featurization() != null) {
                o.printf(Locale.ROOT, "features: %d examples of %s, %s in %.1f s (%s)%n", r.featurization().examples(),
                        shape(r.featurization().featureShape()), r.featurization().cacheHit() ? "from the cache" : "computed",
                        r.featurization().seconds(), r.featurization().file());
            }
            if (r.test() != null) {
                o.print(r.test().toText());
            } else {
                o.printf(Locale.ROOT, "validation accuracy %.4f%n", val);
            }
            Skipped.print(o, skipped(r));
            o.printf("model saved to %s (labels %s, preprocessing %s)%n", out, r.model().info().labels(),
                    r.model().info().preprocessing().name());
        }
        o.flush();
        err.flush();
    }

    private static SkippedFiles skipped(FineTuneResult r) {
        SkippedFiles skipped = new SkippedFiles();
        r.skipped().forEach(e -> skipped.add(e.id(), e.reason()));
        return skipped;
    }

    private static ArrayNode epochs(List<EpochResult> list) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (EpochResult e : list) {
            ObjectNode n = a.addObject();
            n.put("epoch", e.epoch() + 1);
            Json.put(n, "trainLoss", e.trainLoss());
            Json.put(n, "valLoss", e.validationLoss());
            Json.put(n, "valAccuracy", e.validationAccuracy());
            Json.put(n, "learningRate", e.learningRate());
            n.put("seconds", e.seconds());
        }
        return a;
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int d : s) {
            b.append(b.length() == 0 ? "" : "x").append(d);
        }
        return b.toString();
    }

    private static String shape(long[] s) {
        StringBuilder b = new StringBuilder();
        for (long d : s) {
            b.append(b.length() == 0 ? "" : "x").append(d);
        }
        return b.toString();
    }

    /** One line per epoch on stderr. */
    private record EpochLines(PrintWriter err) implements TrainingProgress {
        @Override
        public void epoch(EpochResult r) {
            err.printf(Locale.ROOT, "epoch %d  loss %.4f  val acc %s  %.1fs%n", r.epoch() + 1, r.trainLoss(),
                    Double.isNaN(r.validationAccuracy()) ? "-" : String.format(Locale.ROOT, "%.4f", r.validationAccuracy()),
                    r.seconds());
            err.flush();
        }
    }
}
