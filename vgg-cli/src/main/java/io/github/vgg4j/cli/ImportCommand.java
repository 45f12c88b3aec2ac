package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "import", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Convert torchvision, timm or Keras VGG weights into a vgg4j model.", "",
                "The model computes the same function as the original, and the preprocessing the weights expect is saved "
                        + "in it: torchvision / timm weights (.safetensors, "
                        + "as the Hugging Face hub serves them; RGB, /255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225) "
                        + "or Keras applications' VGG16/VGG19 (.h5: a saved model or a weights file, with or without top; "
                        + "caffe BGR means).", ""},
        footer = {"", "Examples:",
                "  vgg import --torchvision vgg16.safetensors --config D --out vgg16-tv.zip",
                "  vgg import --torchvision vgg11_bn.safetensors --config A --batch-norm \\",
                "      --input 3x64x64 --out small.zip",
                "  vgg import --keras vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 \\",
                "      --out vgg16-notop.zip"})
final class ImportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--torchvision", paramLabel = "FILE.safetensors", required = true,
                description = "torchvision or timm VGG weights (features.N.*, classifier.0|3|6.* or timm's pre_logits/head).")
        Path torchvision;

        @Option(names = "--keras", paramLabel = "FILE.h5", required = true, description = "Keras applications' VGG16/VGG19.")
        Path keras;
    }

    @Option(names = "--config", paramLabel = "A|B|C|D|E", converter = Converters.Configuration.class,
            description = "The configuration the torchvision weights are for (VGG11 = A, VGG16 = D, ...). Default: inferred "
                    + "from the file's convolutions.")
    String config;

    @Option(names = "--batch-norm", description = "The torchvision weights are a _bn model. Default: inferred with --config absent.")
    boolean batchNorm;

    @Option(names = "--classes", paramLabel = "N", converter = Converters.Classes.class, description = "Expected number of classes of the weights' classifier (checked).")
    Integer classes;

    @Option(names = "--input", paramLabel = "3xHxW", converter = InputShape.Converter.class,
            description = "Input size for torchvision weights (torchvision's adaptive pool is folded into fc1 for sizes other "
                    + "than 224). Default: 3x224x224.")
    InputShape input;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The vgg4j model to write.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (model, architecture, inputShape, classes, params, preprocessing).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PretrainedModel m;
        if (source.torchvision != null) {
            VggConfiguration c = config == null ? null : VggConfiguration.parse(config);
            InputShape in = input != null ? input : ArchitectureOptions.PAPER_INPUT;
            if (in.channels() != 3) {
                throw Usage.error(spec, "--input: torchvision weights take RGB images (3 channels), got " + in);
            }
            m = Pretrained.torchvision(source.torchvision, c, c != null ? Boolean.valueOf(batchNorm) : batchNorm ? Boolean.TRUE : null,
                    in.height(), in.width(), classes);
        } else {
            if (config != null || batchNorm || classes != null || input != null) {
                throw Usage.error(spec, "--config, --batch-norm, --classes and --input apply to --torchvision; "
                        + "a Keras file describes its own architecture");
            }
            m = Pretrained.keras(source.keras);
        }
        m.save(out);
        report(m);
        return 0;
    }

    private void report(PretrainedModel m) {
        PrintWriter o = spec.commandLine().getOut();
        int[] s = m.inputShape();
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", out.toString());
            root.put("architecture", m.info().architecture());
            ArrayNode shape = root.putArray("inputShape");
            for (int d : s) {
                shape.add(d);
            }
            root.put("classes", m.info().labels().size());
            root.put("params", m.network().numParams());
            root.put("preprocessing", m.preprocessing().name());
            root.put("source", m.info().properties().getOrDefault("source", ""));
            o.println(Json.write(root));
        } else {
            o.printf(Locale.ROOT, "%s: %s, input %dx%dx%d, %,d parameters, %s; preprocessing %s%n", out, m.info().architecture(),
                    s[0], s[1], s[2], m.network().numParams(),
                    m.info().labels().isEmpty() ? "no classifier" : m.info().labels().size() + " classes", m.preprocessing());
        }
        o.flush();
    }
}
