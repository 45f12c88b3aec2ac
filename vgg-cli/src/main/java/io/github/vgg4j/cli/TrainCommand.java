package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.DivergenceGuard;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.InitScheme;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.cli.report.SamplePredictions;
import io.github.vgg4j.cli.report.TrainingReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Train a VGG on a dataset, evaluate it on the test split if there is one, and save it with its "
                + "label names and preprocessing. Input size, classes and normalisation come from the data unless given; "
                + "the learning rate is divided by 10 when validation accuracy stops improving (the paper's schedule).", ""},
        footer = {"", "Examples:",
                "  vgg train --data /usr/share/datasets/fashion-mnist --config A --batch-norm \\",
                "      --width 0.25 --limit-train 5000 --epochs 1 --out fashion.zip",
                "  vgg train --data cifar-10-binary.tar.gz --config D --batch-norm --epochs 30",
                "  vgg train --data dogs-vs-cats/train --input 3x64x64 --width 0.25"})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.01", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.5",
            description = "Dropout probability after each fully connected layer of the head (0: none). Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--init", paramLabel = "he|paper|xavier", defaultValue = "he",
            description = {"Weight initialisation: he (He et al., for ReLU), paper (the paper's N(0, 0.01): a deep net "
                    + "without batch norm then stalls at chance) or xavier. Default: ${DEFAULT-VALUE}."})
    String init;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "plateau",
            description = {"How the learning rate moves between epochs: plateau[:FACTOR[:PATIENCE]] (the paper's: x0.1 after 2 "
                    + "epochs without a better validation accuracy; needs validation data), step:FACTOR:E1,E2,... (e.g. "
                    + "step:0.1:30,60: x0.1 from epoch 30 and again from 60) or cosine[:MIN] (from --lr down to MIN over "
                    + "the epochs). Default: ${DEFAULT-VALUE}."})
    String lrSchedule;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9",
            description = "Nesterov momentum (0: plain SGD). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "5e-4", description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--augment", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Training augmentation (crop, flip; scale jittering for folders). Default: on.")
    boolean augment;

    @Option(names = "--limit-train", paramLabel = "N", defaultValue = "0",
            description = "Train on the first N training examples after a seeded shuffle.")
    int limitTrain;

    @Option(names = "--train-fraction", paramLabel = "F", defaultValue = "1",
            description = "Train on a stratified fraction of the training set (e.g. 0.1).")
    double trainFraction;

    @Option(names = "--val-fraction", paramLabel = "F",
            description = "Hold out a stratified validation split. Default: 0.1 without a test set, 0 with one.")
    Double valFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "vgg-model.zip", description = "Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Write DIR/checkpoint.zip after every epoch (weights, updater, position, schedule) and "
                    + "DIR/best-model.zip when validation accuracy improves.")
    Path checkpointDir;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", defaultValue = "10",
            description = "With --checkpoint-dir, also checkpoint within an epoch every M minutes (0: epoch ends only). "
                    + "Default: ${DEFAULT-VALUE}.")
    double checkpointMinutes;

    @Option(names = "--resume", description = "Continue from DIR/checkpoint.zip (same data, options and seed: the result "
            + "equals an uninterrupted run's).")
    boolean resume;

    @Option(names = "--divergence-guard", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Stop at a NaN loss, or when the loss has not fallen after --guard-batches batches, naming the "
                    + "likely causes. Default: on.")
    boolean guard;

    @Option(names = "--guard-batches", paramLabel = "N", defaultValue = "300",
            description = "Batches after which the loss must have fallen by 1%%. Default: ${DEFAULT-VALUE}.")
    int guardBatches;

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
            + "memory) at http://127.0.0.1:PORT/train while it runs. It listens on this machine's loopback interface "
            + "only; from elsewhere use an SSH tunnel.")
    boolean ui;

    @Option(names = "--ui-port", paramLabel = "PORT", defaultValue = "9000", description = "Default: ${DEFAULT-VALUE}.")
    int uiPort;

    /** The UI's charts are updated every this many batches. */
    private static final int UI_FREQUENCY = 5;

    /** Training accuracy is measured after each epoch on this many training examples (test mode). */
    private static final int TRAIN_ACCURACY_SAMPLE = 2000;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Outputs.requireWritableFile(out, "--out");
        if (checkpointDir != null) {
            Outputs.requireWritableFolder(checkpointDir, "--checkpoint-dir");
        }
        if (plots != null) {
            Outputs.requireWritableFolder(plots, "--plots");
        }
        if (ui && (uiPort < 1 || uiPort > 65535)) {
            throw new IllegalArgumentException("--ui-port: expected 1-65535, got " + uiPort);
        }
        DataBundle bundle = dataOptions.open();
        double val = valFraction != null ? valFraction : bundle.hasTest() ? 0 : 0.1;
        int[] inputShape = architecture.input != null ? architecture.input.toArray() : TrainingData.defaultInputShape(bundle);
        TrainingData.Builder tb = TrainingData.from(bundle).inputShape(inputShape[0], inputShape[1], inputShape[2])
                .batchSize(batch).seed(seed).augment(augment);
        ArchitectureOptions.option("--val-fraction", () -> tb.validationFraction(val));
        ArchitectureOptions.option("--train-fraction", () -> tb.trainFraction(trainFraction));
        ArchitectureOptions.option("--limit-train", () -> tb.limitTrain(limitTrain));
        ArchitectureOptions.option("--batch", () -> {
            if (batch < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
            }
        });
        VGGBuilder builder = architecture.builder(new InputShape(inputShape[0], inputShape[1], inputShape[2]),
                bundle.labels().size(), null);
        ArchitectureOptions.option("--lr", () -> builder.learningRate(lr));
        ArchitectureOptions.option("--momentum", () -> builder.momentum(momentum));
        ArchitectureOptions.option("--dropout", () -> builder.dropout(dropout));
        ArchitectureOptions.option("--init", () -> builder.init(switch (init.toLowerCase(Locale.ROOT)) {
            case "he" -> InitScheme.HE;
            case "paper" -> InitScheme.PAPER_NORMAL;
            case "xavier" -> InitScheme.XAVIER;
            default -> throw new IllegalArgumentException("expected he, paper or xavier, got '" + init + "'");
        }));
        ArchitectureOptions.option("--weight-decay", () -> builder.weightDecay(weightDecay));
        builder.seed(seed);
        TrainingOptions base;
        try {
            base = TrainingOptions.epochs(epochs).withSeed(seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--epochs: " + e.getMessage(), e);
        }
        try {
            base = base.withSchedule(LearningRateSchedule.parse(lrSchedule));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lr-schedule: " + e.getMessage(), e);
        }
        if (resume && checkpointDir == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint-dir (where the checkpoint is)");
        }
        DivergenceGuard divergence;
        try {
            divergence = guard ? DivergenceGuard.standard().afterIterations(guardBatches) : DivergenceGuard.off();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--guard-batches: " + e.getMessage(), e);
        }

        try (TrainingData data = tb.build()) {
            err.printf(Locale.ROOT, "vgg train: %s, %s: %d training, %s validation, %s test images; %s, input %s%n",
                    bundle.format(), bundle.source(), data.train().numExamples(),
                    data.validation() == null ? "no" : String.valueOf(data.validation().numExamples()),
                    data.test() == null ? "no" : String.valueOf(data.test().numExamples()),
                    builder.name(), new InputShape(inputShape[0], inputShape[1], inputShape[2]));
            err.flush();
            MultiLayerNetwork net = builder.buildNetwork();
            ModelInfo info = data.modelInfo(builder.name(), Map.of("epochs", String.valueOf(epochs), "seed", String.valueOf(seed)));
            TrainingOptions options = base.withGuard(divergence);
            if (checkpointDir != null) {
                TrainingOptions o = options;
                ArchitectureOptions.option("--checkpoint-minutes", () -> o.withCheckpoints(checkpointDir, checkpointMinutes, info));
                options = options.withCheckpoints(checkpointDir, checkpointMinutes, info).resuming(resume);
            }
            Trainer.TrainingResult result;
            try (TrainingUi trainingUi = ui ? TrainingUi.start(uiPort) : null) {
                if (trainingUi != null) {
                    net.addListeners(trainingUi.listener(UI_FREQUENCY));
                    err.printf("training UI: %s (this machine only; it closes when training ends)%n", trainingUi.address());
                    err.flush();
                }
                result = new Trainer(options).fit(net, data.train(), data.validation(),
                        data.trainSample(TRAIN_ACCURACY_SAMPLE), data.labels(),
                        LossLog.around(new ConsoleProgress(err, epochs, data.train().numBatches()), lossLog, resume));
            }
            EvaluationReport test = data.test() == null ? null : Evaluator.evaluate(net, data.test(), data.labels());
            ModelFiles.save(net, out, info);
            if (plots != null) {
                writePlots(net, builder.name(), result, test, data, err);
            }
            report(result, test, data, err);
        }
        return 0;
    }

    private void writePlots(MultiLayerNetwork net, String name, Trainer.TrainingResult result, EvaluationReport test,
                            TrainingData data, PrintWriter err) throws java.io.IOException {
        EvaluationReport eval = test;
        io.github.vgg4j.datavec.ImageDataset set = data.bundle().test();
        int[] indices = set == null ? null : io.github.vgg4j.datavec.Splits.all(set);
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
    }

    private void report(Trainer.TrainingResult result, EvaluationReport test, TrainingData data, PrintWriter err) {
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
            root.set("skipped", Json.skipped(data.skipped()));
            spec.commandLine().getOut().println(Json.write(root));
        } else {
            PrintWriter o = spec.commandLine().getOut();
            if (test != null) {
                o.print(test.toText());
            } else {
                o.printf(Locale.ROOT, "validation accuracy %.4f%n", last.validationAccuracy());
            }
            if (data.skipped().count() > 0) {
                o.printf("skipped %d file(s):%n", data.skipped().count());
                data.skipped().entries().forEach(e -> o.printf("  %s: %s%n", e.id(), e.reason()));
            }
            o.printf("model saved to %s%n", out);
        }
        spec.commandLine().getOut().flush();
        err.flush();
    }
}
