package io.github.vgg4j.cli;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import picocli.CommandLine.Option;

/**
 * The builder options shared by summary, train, tune and benchmark (CLI.md). Input, classes and
 * head have command-specific defaults: summary uses the paper's (3x224x224, 1000, imagenet);
 * train takes them from the data.
 */
final class ArchitectureOptions {

    @Option(names = "--config", paramLabel = "A|A-LRN|B|C|D|E", defaultValue = "D",
            description = "The paper's configuration (also VGG11, VGG13, VGG16, VGG19). Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution.")
    boolean batchNorm;

    @Option(names = "--input", paramLabel = "CxHxW", converter = InputShape.Converter.class,
            description = "Input channels x height x width, at least 32x32. Default: 3x224x224 (summary), "
                    + "from the data (train).")
    InputShape input;

    @Option(names = "--classes", paramLabel = "N",
            description = "Number of classes. Default: 1000 (summary), from the data (train).")
    Integer classes;

    @Option(names = "--head", paramLabel = "imagenet|cifar|avgpool",
            description = "Classifier: imagenet (4096-4096), cifar (512-512) or avgpool (global average pooling). "
                    + "Default: imagenet (summary); for training, imagenet for inputs over 64x64, cifar otherwise.")
    String head;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1",
            description = "Width multiplier for channels and FC widths (0.25 for small machines). Default: ${DEFAULT-VALUE}.")
    double width;

    /**
     * The builder these options describe; a refused value is reported with its option's name.
     *
     * @param defaultInput used when --input is not given
     * @param numClasses   the classes the network must have (e.g. from the data), or null for --classes / 1000
     * @param defaultHead  used when --head is not given; null: by input size
     */
    VGGBuilder builder(InputShape defaultInput, Integer numClasses, String defaultHead) {
        InputShape in = input != null ? input : defaultInput;
        if (numClasses != null && classes != null && !classes.equals(numClasses)) {
            throw new IllegalArgumentException("--classes: " + classes + " given, but the data has " + numClasses + " classes");
        }
        int n = numClasses != null ? numClasses : classes != null ? classes : 1000;
        String h = head != null ? head : defaultHead != null ? defaultHead
                : in.height() > 64 || in.width() > 64 ? "imagenet" : "cifar";
        VGGBuilder b = new VGGBuilder();
        option("--config", () -> b.configuration(VggConfiguration.parse(config)));
        b.batchNorm(batchNorm);
        option("--input", () -> b.inputShape(in.channels(), in.height(), in.width()));
        option("--classes", () -> b.numClasses(n));
        option("--head", () -> b.head(Head.parse(h)));
        option("--width", () -> b.widthMultiplier(width));
        option("--input", b::build); // sizes are checked against the final number of blocks
        return b;
    }

    /** The paper's defaults (summary). */
    VGGBuilder builder() {
        return builder(new InputShape(3, 224, 224), null, "imagenet");
    }

    static void option(String name, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
