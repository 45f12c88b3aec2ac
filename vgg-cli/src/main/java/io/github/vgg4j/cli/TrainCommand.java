package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.cli.report.SamplePredictions;
import io.github.vgg4j.cli.report.TrainingReport;
import io.github.vgg4j.core.InitScheme;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Train a VGG on a dataset; save it with its labels and preprocessing.", "",
                "Evaluates on the test split if there is one. Input size, classes and normalisation come from the data "
                        + "unless given. The learning rate is divided by 10 when validation accuracy stops improving "
                        + "(the paper's schedule, the default): without --val-fraction, 10%% of the training set is held "
                        + "out for it.", ""},
        footer = {"", "Examples:",
                "  vgg train --data /usr/share/datasets/fashion-mnist --config A \\",
                "      --batch-norm --width 0.25 --limit-train 5000 --epochs 1 \\",
                "      --out fashion.zip",
                "  vgg train --data cifar-10-binary.tar.gz --config D --batch-norm \\",
                "      --epochs 30",
                "  vgg train --data dogs-vs-cats/train --input 3x64x64 --width 0.25",
                "  vgg train --data /usr/share/datasets/fashion-mnist --config A \\",
                "      --batch-norm --width 0.25 --epochs 2 --spark 'local[2]'"})
final class TrainCommand implements Callable<Integer> {

    /** The UI's charts are updated every this many batches. */
    private static final int UI_FREQUENCY = 5;
    /** Training accuracy is measured after each epoch on this many training examples (test mode). */
    private static final int TRAIN_ACCURACY_SAMPLE = 2000;
    /** Held out for validation when none is asked for but needed (no test set, or the plateau schedule). */
    private static final double DEFAULT_VALIDATION = 0.1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", converter = Converters.Epochs.class,
            description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", converter = Converters.AtLeastOne.class,
            description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.01", converter = Converters.LearningRate.class,
            description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "plateau", converter = Converters.Schedule.class,
            description = {"How the learning rate moves between epochs: plateau[:FACTOR[:PATIENCE]] (the paper's: x0.1 "
                    + "after 2 epochs without a better validation accuracy), step:FACTOR:E1,E2,... (e.g. step:0.1:30,60: "
                    + "x0.1 from epoch 30 and again from 60) or cosine[:MIN] (from --lr down to MIN over the epochs). "
                    + "Default: ${DEFAULT-VALUE}."})
    LearningRateSchedule lrSchedule;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", converter = Converters.Momentum.class,
            description = "Nesterov momentum (0: plain SGD). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "5e-4", converter = Converters.WeightDecay.class,
            description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.5", converter = Converters.Dropout.class,
            description = "Dropout probability after each fully connected layer of the head (0: none). Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--init", paramLabel = "he|paper|xavier", defaultValue = "he", converter = Converters.Init.class,
            description = {"Weight initialisation: he (He et al., for ReLU), paper (the paper's N(0, 0.01): a deep net "
                    + "without batch norm then stalls at chance) or xavier. Default: ${DEFAULT-VALUE}."})
    InitScheme init;

    @Mixin
    AugmentationOptions augmentation;

    @Mixin
    LimitOptions limits;

    @Option(names = "--val-fraction", paramLabel = "F", converter = Converters.ValFraction.class,
            description = "Hold out a stratified validation split. Default: 0.1 when the data has no test set or the "
                    + "schedule is plateau, 0 otherwise.")
    Double valFraction;

    @Mixin
    SeedOptions seed;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "vgg-model.zip", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Write DIR/checkpoint.zip after every epoch (weights, updater, position, schedule) and "
                    + "DIR/best-model.zip when validation accuracy improves.")
    Path checkpointDir;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", defaultValue = "10", converter = Converters.CheckpointMinutes.class,
            description = "With --checkpoint-dir, also checkpoint within an epoch every M minutes (0: epoch ends only). "
                    + "Default: ${DEFAULT-VALUE}.")
    double checkpointMinutes;

    @Option(names = "--resume", description = "Continue from DIR/checkpoint.zip; give the same data, options and seed "
            + "as the interrupted run, and the result equals an uninterrupted run's.")
    boolean resume;

    @Mixin
    GuardOptions guard;

    @Mixin
    PrecisionOptions precision;

    @Mixin
    SparkOptions spark;

    @Option(names = "--json", description = "Print one JSON object (testAccuracy, valAccuracy, epochs, ...) on stdout.")
    boolean json;

    @Option(names = "--loss-log", paramLabel = "FILE",
            description = "Write every batch's loss as CSV (epoch,batch,loss), rewritten atomically after each epoch.")
    Path lossLog;

    @Option(names = "--plots", paramLabel = "DIR",
            description = "Write loss, accuracy and learning-rate curves, per-class accuracy, the confusion matrix and sample "
                    + "predictions as PNG (with CSV/JSON beside them) into DIR.")
    Path plots;

    @Option(names = "--ui", description = "Stream the training to DL4J's training UI (score, update ratios, activations, "
            + "memory) at " + TrainingUi.OVERVIEW + " (another port: --ui-port) while it runs. It listens on this "
            + "machine's loopback interface only; from elsewhere use an SSH tunnel.")
    boolean ui;

    @Option(names = "--ui-port", paramLabel = "PORT", defaultValue = "9000", converter = Converters.Port.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int uiPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        checkOutputs();
        spark.check(spec);
        Precision compute = precision.resolve(spec);
        DataBundle bundle = spark.on() ? spark.open(spec, dataOptions) : dataOptions.open();
        try (TrainingData data = trainingData(bundle, err)) {
            VGGBuilder builder = network(data).precision(compute);
            announce(bundle, data, builder, err);
            MultiLayerNetwork net = builder.buildNetwork();
            ModelInfo info = data.modelInfo(builder.name(), Map.of("epochs", String.valueOf(epochs), "seed",
                    String.valueOf(seed.seed)));
            Trainer.TrainingResult result = train(net, data, info, err);
            ModelFiles.save(net, out, info); // the trained network first: nothing after it can cost the training
            EvaluationReport test = data.test() == null ? null : Evaluator.evaluate(net, data.test(), data.labels());
            if (plots != null) {
                writePlots(net, builder.name(), result, test, data, err);
            }
            report(result, test, data);
            if (result.checkpointProblem() != null) {
                // training finished and the model is saved, but what --resume would need is not on disk
                throw new IOException(result.checkpointProblem() + "; the trained model was saved to " + out);
            }
        }
        return 0;
    }

    /** Output locations are checked before hours of work are spent, not when the result is saved. */
    private void checkOutputs() throws IOException {
        if (resume && checkpointDir == null) {
            throw Usage.error(spec, "--resume needs --checkpoint-dir (where the checkpoint is)");
        }
        Outputs.requireWritableFile(out, "--out");
        if (lossLog != null) {
            Outputs.requireWritableFile(lossLog, "--loss-log");
        }
        if (checkpointDir != null) {
            Outputs.requireWritableFolder(checkpointDir, "--checkpoint-dir");
        }
        if (plots != null) {
            Outputs.requireWritableFolder(plots, "--plots");
        }
    }

    private TrainingData trainingData(DataBundle bundle, PrintWriter err) throws IOException {
        int[] input = architecture.input(TrainingData.defaultInputShape(bundle)).toArray();
        TrainingData.Builder b = TrainingData.from(bundle).inputShape(input[0], input[1], input[2]).batchSize(batch)
                .seed(seed.seed).augment(augmentation.on(true)).validationFraction(validationFraction(bundle, err));
        return limits.applyTo(b).build();
    }

    /**
     * --val-fraction, or the default: a split when the data has no test set, and when the plateau
     * schedule needs validation accuracy to decide (without it the rate would never drop).
     */
    private double validationFraction(DataBundle bundle, PrintWriter err) {
        boolean plateau = lrSchedule instanceof LearningRateSchedule.Plateau;
        if (valFraction != null) {
            if (plateau && valFraction == 0) {
                throw Usage.error(spec, "--val-fraction 0 leaves no validation data, and --lr-schedule plateau lowers the "
                        + "rate when validation accuracy stops improving: give --val-fraction above 0, or --lr-schedule "
                        + "step:FACTOR:E1,... or cosine");
            }
            return valFraction;
        }
        if (plateau && bundle.hasTest()) {
            err.printf(Locale.ROOT, "vgg train: holding out %.0f%% of the training set for validation: the plateau schedule "
                    + "lowers the rate when validation accuracy stops improving (--val-fraction to choose, --lr-schedule "
                    + "step or cosine to train on all of it)%n", 100 * DEFAULT_VALIDATION);
        }
        return plateau || !bundle.hasTest() ? DEFAULT_VALIDATION : 0;
    }

    /** The network: builder options, input and classes from the data unless given. */
    private VGGBuilder network(TrainingData data) {
        return architecture.builder(architecture.input(data.inputShape()), data.labels().size(), null)
                .learningRate(lr).momentum(momentum).weightDecay(weightDecay).dropout(dropout).init(init).seed(seed.seed);
    }

    private void announce(DataBundle bundle, TrainingData data, VGGBuilder builder, PrintWriter err) {
        err.printf(Locale.ROOT, "vgg train: %s, %s: %d training, %s validation, %s test images; %s, input %s%n",
                bundle.format(), bundle.source(), data.train().numExamples(),
                data.validation() == null ? "no" : String.valueOf(data.validation().numExamples()),
                data.test() == null ? "no" : String.valueOf(data.test().numExamples()),
                builder.name(), architecture.input(data.inputShape()));
        err.flush();
    }

    private Trainer.TrainingResult train(MultiLayerNetwork net, TrainingData data, ModelInfo info, PrintWriter err)
            throws IOException {
        TrainingOptions options = TrainingOptions.epochs(epochs).withSeed(seed.seed).withSchedule(lrSchedule)
                .withGuard(guard.guard());
        if (checkpointDir != null) {
            options = options.withCheckpoints(checkpointDir, checkpointMinutes, info).resuming(resume);
        }
        ConsoleProgress console = ConsoleProgress.of(err, epochs, data.train().numBatches());
        TrainingProgress progress = LossLog.around(spark.on() ? console.withEpochTail(SparkOptions::throughput) : console,
                lossLog, resume);
        if (spark.on()) {
            return spark.fit(spec, dataOptions, net, data, options, progress, err);
        }
        try (TrainingUi trainingUi = ui ? TrainingUi.start(uiPort) : null) {
            if (trainingUi != null) {
                net.addListeners(trainingUi.listener(UI_FREQUENCY));
                err.printf("training UI: %s (this machine only; it closes when training ends)%n", trainingUi.address());
                err.flush();
            }
            return new Trainer(options).fit(net, data.train(), data.validation(), data.trainSample(TRAIN_ACCURACY_SAMPLE),
                    data.labels(), progress);
        }
    }

    private void writePlots(MultiLayerNetwork net, String name, Trainer.TrainingResult result, EvaluationReport test,
                            TrainingData data, PrintWriter err) throws IOException {
        EvaluationReport eval = test;
        ImageDataset set = data.bundle().test();
        int[] indices = set == null ? null : Splits.all(set);
        if (eval == null && data.validation() != null) {
            eval = Evaluator.evaluate(net, data.validation(), data.labels());
            set = data.bundle().train();
            indices = data.validationIndices();
        }
        TrainingReport.write(plots, name, result.epochs(), eval);
        if (set != null) {
            SamplePredictions.write(plots.resolve("predictions.png"), name, net, set, indices, data.evalFit(), data.preprocessing(), 4);
        }
        err.printf("plots in %s%n", plots);
        err.flush();
    }

    private void report(Trainer.TrainingResult result, EvaluationReport test, TrainingData data) {
        PrintWriter o = spec.commandLine().getOut();
        EpochResult last = result.last();
        if (json) {
            ObjectNode root = Json.object();
            Json.put(root, "testAccuracy", test == null ? Double.NaN : test.accuracy());
            Json.put(root, "valAccuracy", last.validationAccuracy());
            if (plots != null) {
                root.put("plots", plots.toString());
            }
            root.put("resumed", result.resumed());
            root.put("model", out.toString());
            root.put("checkpointProblem", result.checkpointProblem());
            ArrayNode epochsNode = root.putArray("epochs");
            for (EpochResult e : result.epochs()) {
                ObjectNode n = epochsNode.addObject();
                n.put("epoch", e.epoch() + 1);
                Json.put(n, "trainLoss", e.trainLoss());
                Json.put(n, "trainAccuracy", e.trainAccuracy());
                Json.put(n, "valLoss", e.validationLoss());
                Json.put(n, "valAccuracy", e.validationAccuracy());
                n.put("learningRate", e.learningRate());
                n.put("seconds", e.seconds());
                n.put("examples", e.examples());
            }
            root.put("trainExamples", data.train().numExamples());
            if (test != null) {
                root.set("test", test.toJson(Json.MAPPER));
            }
            root.set("skipped", Skipped.json(data.skipped()));
            o.println(Json.write(root));
        } else {
            if (test != null) {
                o.print(test.toText());
            } else {
                o.printf(Locale.ROOT, "validation accuracy %.4f%n", last.validationAccuracy());
            }
            Skipped.print(o, data.skipped());
            o.printf("model saved to %s%n", out);
        }
        o.flush();
    }
}
