package io.github.vgg4j.cli;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Mixin: the builder options of summary, train, tune and benchmark. Input, classes and head have
 * command-specific defaults: summary and benchmark use the paper's (3x224x224, 1000, imagenet);
 * train and tune take them from the data. Each value is checked by the builder as it is parsed
 * ({@link Converters}); {@link #builder} checks what only the options together decide.
 */
final class ArchitectureOptions {
    static final InputShape PAPER_INPUT = new InputShape(3, 224, 224);

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    @Option(names = "--config", paramLabel = "A|A-LRN|B|C|D|E", defaultValue = "D", converter = Converters.Configuration.class,
            description = "The paper's configuration (also VGG11, VGG13, VGG16, VGG19). Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution.")
    boolean batchNorm;

    @Option(names = "--input", paramLabel = "CxHxW", converter = InputShape.Converter.class,
            description = "Input channels x height x width, at least 32x32. Default: 3x224x224 (summary, benchmark), "
                    + "from the data (train, tune).")
    InputShape input;

    @Option(names = "--classes", paramLabel = "N", converter = Converters.Classes.class,
            description = "Number of classes. Default: 1000 (summary, benchmark), from the data (train, tune).")
    Integer classes;

    @Option(names = "--head", paramLabel = "imagenet|cifar|avgpool", converter = Converters.HeadName.class,
            description = "Classifier: imagenet (4096-4096), cifar (512-512) or avgpool (global average pooling). "
                    + "Default: imagenet (summary, benchmark); for training, imagenet for inputs over 64x64, cifar otherwise.")
    String head;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1", converter = Converters.Width.class,
            description = "Width multiplier for channels and FC widths (0.25 for small machines). Default: ${DEFAULT-VALUE}.")
    double width;

    /**
     * The builder these options describe.
     *
     * @param defaultInput used when --input is not given
     * @param numClasses   the classes the network must have (e.g. from the data), or null for --classes / 1000
     * @param defaultHead  used when --head is not given; null: by input size
     */
    VGGBuilder builder(InputShape defaultInput, Integer numClasses, String defaultHead) {
        InputShape in = input != null ? input : defaultInput;
        if (numClasses != null && classes != null && !classes.equals(numClasses)) {
            throw Usage.error(command, "--classes: " + classes + " given, but the data has " + numClasses + " classes");
        }
        int n = numClasses != null ? numClasses : classes != null ? classes : 1000;
        String h = head != null ? head : defaultHead != null ? defaultHead
                : in.height() > 64 || in.width() > 64 ? "imagenet" : "cifar";
        VGGBuilder b = new VGGBuilder().configuration(VggConfiguration.parse(config)).batchNorm(batchNorm).numClasses(n)
                .head(Head.parse(h)).widthMultiplier(width);
        try {
            b.inputShape(in.channels(), in.height(), in.width()).build(); // sizes are checked against the number of blocks
        } catch (IllegalArgumentException e) {
            throw Usage.error(command, "--input " + in + ": " + e.getMessage());
        }
        return b;
    }

    /** The paper's defaults (summary, benchmark); {@link #input} then holds the input built for. */
    VGGBuilder builder() {
        if (input == null) {
            input = PAPER_INPUT; // benchmark reads it for its synthetic batches and its report
        }
        return builder(input, null, "imagenet");
    }

    /** The input shape: --input, or {@code fromData}. */
    InputShape input(int[] fromData) {
        return input != null ? input : InputShape.of(fromData);
    }
}
