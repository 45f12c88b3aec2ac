package io.github.vgg4j.cli;

import picocli.CommandLine.Option;

/** Mixin: --seed, for everything random in a run. */
final class SeedOptions {

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seeds everything random: splits, data order, augmentation, initial weights, dropout "
                    + "(and tune's candidates). Default: ${DEFAULT-VALUE}.")
    long seed;
}
