package io.github.vgg4j.cli;

import io.github.vgg4j.core.train.DivergenceGuard;
import picocli.CommandLine.Option;

/** Mixin: the divergence guard (--divergence-guard, --guard-batches). */
final class GuardOptions {

    @Option(names = "--divergence-guard", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Stop at a NaN loss, or when the loss has not fallen after --guard-batches batches, "
                    + "naming the likely causes (tune: fail that candidate). Default: on.")
    boolean on;

    @Option(names = "--guard-batches", paramLabel = "N", defaultValue = "300", converter = Converters.GuardBatches.class,
            description = "Batches after which the loss must have fallen by 1%%. Default: ${DEFAULT-VALUE}.")
    int batches;

    DivergenceGuard guard() {
        return on ? DivergenceGuard.standard().afterIterations(batches) : DivergenceGuard.off();
    }
}
