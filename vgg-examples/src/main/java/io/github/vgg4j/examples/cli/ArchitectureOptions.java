package io.github.vgg4j.examples.cli;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import picocli.CommandLine.Option;

/** The builder options shared by summary, train, tune and benchmark (CLI.md). */
final class ArchitectureOptions {

    @Option(names = "--config", paramLabel = "A|A-LRN|B|C|D|E", defaultValue = "D",
            description = "The paper's configuration (also VGG11, VGG13, VGG16, VGG19). Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution.")
    boolean batchNorm;

    @Option(names = "--input", paramLabel = "CxHxW", defaultValue = "3x224x224", converter = InputShape.Converter.class,
            description = "Input channels x height x width, at least 32x32. Default: ${DEFAULT-VALUE}.")
    InputShape input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "1000",
            description = "Number of classes. Default: ${DEFAULT-VALUE}.")
    int classes;

    @Option(names = "--head", paramLabel = "imagenet|cifar|avgpool", defaultValue = "imagenet",
            description = "Classifier: imagenet (4096-4096), cifar (512-512) or avgpool (global average pooling). "
                    + "Default: ${DEFAULT-VALUE}.")
    String head;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1",
            description = "Width multiplier for channels and FC widths (0.25 for small machines). Default: ${DEFAULT-VALUE}.")
    double width;

    /** The builder these options describe; a refused value is reported with its option's name. */
    VGGBuilder builder() {
        VGGBuilder b = new VGGBuilder();
        option("--config", () -> b.configuration(VggConfiguration.parse(config)));
        b.batchNorm(batchNorm);
        option("--input", () -> b.inputShape(input.channels(), input.height(), input.width()));
        option("--classes", () -> b.numClasses(classes));
        option("--head", () -> b.head(Head.parse(head)));
        option("--width", () -> b.widthMultiplier(width));
        option("--input", b::build); // sizes are checked against the final number of blocks
        return b;
    }

    static void option(String name, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
