package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.train.Workspaces;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.cli.bench.PeakMemory;
import io.github.vgg4j.cli.bench.Throughput;
import io.github.vgg4j.cli.bench.Throughput.Measurement;
import io.github.vgg4j.cli.bench.Throughput.Phase;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "benchmark", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Measure training and inference speed and peak memory (synthetic input).", "",
                "Images per second and the peak resident memory of the process: the same random batch every step, "
                + "untimed warm-up steps until the kernels have chosen their algorithms (they time the candidates over "
                + "their first calls) and a few more, then timed steps: the steady state. A training step is forward, "
                + "loss, backward and the SGD update; inference is test mode.", ""},
        footer = {"", "Examples:",
                "  vgg benchmark --config D --input 3x32x32 --classes 10 --head cifar --batch 64",
                "  vgg benchmark --config D --input 3x32x32 --classes 10 --head cifar \\",
                "      --batch 64 --precision bf16",
                "  # VGG16 at 224x224:",
                "  vgg benchmark --config D --batch 32 --iterations 3 --json",
                "",
                "benchmarks/vs-pytorch.sh runs this side by side with the same network in",
                "PyTorch."})
final class BenchmarkCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--batch", paramLabel = "B|auto", defaultValue = "32",
            description = "Images per step, or auto: try 16, 32, 64, 128, 256 (a few training steps each, stopping "
                    + "once throughput falls) and measure the fastest. Default: ${DEFAULT-VALUE}.")
    String batchOption;

    private int batch;
    private Throughput.BatchChoice batchChoice;
    private Precision precision;
    private java.util.List<String> kernels = java.util.List.of();

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "5",
            description = "Timed steps per phase. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Untimed steps before each phase once the kernels have chosen their algorithms (the steps "
                    + "until then are never timed; their number is reported). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Mixin
    PrecisionOptions precisionOptions;

    @Option(names = "--phase", paramLabel = "both|train|inference", defaultValue = "both",
            description = "What to measure. Default: ${DEFAULT-VALUE}.")
    String phase;

    @Option(names = "--json", description = "Print one JSON object (trainImagesPerSecond, inferenceImagesPerSecond, "
            + "peakMemoryBytes, ...) on stdout.")
    boolean json;

    @Override
    public Integer call() {
        boolean train = phase("train");
        boolean inference = phase("inference");
        boolean auto = batchOption.equalsIgnoreCase("auto");
        try {
            batch = auto ? 1 : Integer.parseInt(batchOption.trim());
        } catch (NumberFormatException e) {
            throw Usage.error(spec, "--batch: expected a number of images or auto, got '" + batchOption + "'");
        }
        if (batch < 1 || iterations < 1 || warmup < 0) {
            throw Usage.error(spec, "--batch and --iterations must be >= 1 and --warmup >= 0, got batch "
                    + batch + ", iterations " + iterations + ", warmup " + warmup);
        }
        VGGBuilder builder = architecture.builder().precision(precisionOptions.resolve(spec));
        MultiLayerNetwork net = builder.buildNetwork();
        precision = FastPath.precision(net);
        long[] shape = {architecture.input.channels(), architecture.input.height(), architecture.input.width()};
        PrintWriter err = spec.commandLine().getErr();
        if (auto) {
            err.printf("vgg benchmark: %s, input %s, choosing the batch (%s)%n", builder.name(), architecture.input,
                    FastPath.status().detail());
            err.flush();
            batchChoice = Throughput.fastestTrainingBatch(net, shape, new int[] {16, 32, 64, 128, 256}, warmup, 2);
            batch = batchChoice.batch();
            err.printf(Locale.ROOT, "  training images/s by batch: %s -> batch %d%n", batchChoice.imagesPerSecond(), batch);
        }
        err.printf("vgg benchmark: %s, input %s, batch %d, precision %s, %s%n", builder.name(), architecture.input, batch,
                precision, FastPath.status().detail());
        err.flush();

        Measurement trainM = train ? measure(net, Phase.TRAIN, shape, err) : null;
        Workspaces.releaseActivations(); // inference's buffers are not held on top of training's (--phase both)
        Measurement inferM = inference ? measure(net, Phase.INFERENCE, shape, err) : null;
        long peak = PeakMemory.peakResidentBytes();
        kernels = FastPath.implementations(net);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(builder, trainM, inferM, peak));
        } else {
            out.printf(Locale.ROOT, "%s  input %s  batch %d  precision %s  (%d timed steps per phase)%n", builder.name(),
                    architecture.input, batch, precision, iterations);
            if (trainM != null) {
                out.printf(Locale.ROOT, "train       %8.1f images/s  %s%n", trainM.imagesPerSecond(), warmupText(trainM));
            }
            if (inferM != null) {
                out.printf(Locale.ROOT, "inference   %8.1f images/s  %s%n", inferM.imagesPerSecond(), warmupText(inferM));
            }
            out.printf(Locale.ROOT, "peak memory %8.0f MiB (resident set of the process)%n", peak / 1048576.0);
        }
        out.flush();
        return 0;
    }

    private boolean phase(String name) {
        String p = phase.toLowerCase(Locale.ROOT);
        if (!p.equals("both") && !p.equals("train") && !p.equals("inference")) {
            throw Usage.error(spec, "--phase: expected both, train or inference, got '" + phase + "'");
        }
        return p.equals("both") || p.equals(name);
    }

    private Measurement measure(MultiLayerNetwork net, Phase p, long[] shape, PrintWriter err) {
        String name = p.name().toLowerCase(Locale.ROOT);
        long t0 = System.nanoTime();
        int[] untimed = {0};
        Measurement m = Throughput.measure(net, p, shape, batch, Throughput.untilChosen(net), warmup, iterations, (i, kind) -> {
            String what = switch (kind) {
                case CHOOSING -> "warm-up step " + i + " (kernels choosing their algorithms)";
                case WARMUP -> "warm-up step " + i;
                case TIMED -> "step " + (i - untimed[0]) + "/" + iterations;
            };
            if (kind != Throughput.Kind.TIMED) {
                untimed[0] = i;
            }
            err.printf(Locale.ROOT, "  %s %s (%.1f s)%n", name, what, (System.nanoTime() - t0) / 1e9);
            err.flush();
        });
        err.printf(Locale.ROOT, "  %s: %.1f images/s (%s)%n", name, m.imagesPerSecond(), warmupText(m));
        err.flush();
        return m;
    }

    private static String warmupText(Measurement m) {
        return String.format(Locale.ROOT, "after %d warm-up steps: %d until the kernels had chosen their algorithms + %d",
                m.warmupSteps(), m.choosingSteps(), m.warmupSteps() - m.choosingSteps());
    }

    private String toJson(VGGBuilder builder, Measurement trainM, Measurement inferM, long peak) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", builder.name());
        root.put("input", architecture.input.toString());
        root.put("head", architecture.head);
        root.put("classes", architecture.classes);
        root.put("batch", batch);
        if (batchChoice != null) {
            var tried = root.putObject("batchCandidates");
            batchChoice.imagesPerSecond().forEach((b, ips) -> tried.put(String.valueOf(b), ips));
        }
        root.put("precision", precision.toString());
        root.put("warmup", warmup);
        root.put("iterations", iterations);
        put(root, "train", trainM);
        put(root, "inference", inferM);
        root.put("peakMemoryBytes", peak);
        // CPU time of this process: with the machine's busy time over the run, scripts tell how much
        // other jobs took (benchmarks/ab.sh, vs-pytorch.sh).
        ProcessHandle.current().info().totalCpuDuration()
                .ifPresent(d -> root.put("processCpuSeconds", d.toNanos() / 1e9));
        root.put("fastPath", FastPath.status().detail());
        var lines = root.putArray("kernels"); // what each kernel layer ran (oneDNN's implementation names)
        kernels.forEach(lines::add);
        root.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        var env = root.putObject("environment"); // the settings the launcher (or the user) chose
        for (String k : new String[] {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "LD_PRELOAD", "MALLOC_CONF"}) {
            if (System.getenv(k) != null) {
                env.put(k, System.getenv(k));
            }
        }
        return root.toString();
    }

    private static void put(ObjectNode root, String prefix, Measurement m) {
        if (m == null) {
            root.putNull(prefix + "ImagesPerSecond");
            return;
        }
        root.put(prefix + "ImagesPerSecond", m.imagesPerSecond());
        root.put(prefix + "WarmupSteps", m.warmupSteps());
        root.put(prefix + "ChoosingSteps", m.choosingSteps());
        var seconds = root.putArray(prefix + "SecondsPerIteration");
        for (double s : m.secondsPerIteration()) {
            seconds.add(s);
        }
    }
}
