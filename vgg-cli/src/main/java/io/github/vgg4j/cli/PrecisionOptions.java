package io.github.vgg4j.cli;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * Mixin: --precision, what vgg4j's kernels compute in. Models are saved in float32 whatever it is,
 * so the option belongs to a run, not to a model file.
 */
final class PrecisionOptions {

    @Option(names = "--precision", paramLabel = "fp32|bf16|auto", defaultValue = "fp32", converter = Converters.PrecisionName.class,
            description = "What the kernels compute in: fp32, bf16 (bfloat16 arithmetic; weights, updater, loss and the saved "
                    + "model stay float32; needs a CPU with AVX-512 BF16 or AMX and is refused elsewhere) or auto (bf16 where "
                    + "the CPU has it, fp32 elsewhere). Default: ${DEFAULT-VALUE}.")
    Precision requested;

    /**
     * FP32 or BF16 for this run, decided before any data is read. bf16 on a CPU without it is a
     * failure (exit 1): the command line is right, the machine cannot run it natively, and an
     * emulation would be slower than fp32. auto there says once on stderr that it runs fp32.
     */
    Precision resolve(CommandLine.Model.CommandSpec spec) {
        Precision p;
        try {
            p = FastPath.resolve(requested);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("--precision " + requested + ": " + e.getMessage(), e);
        }
        if (requested == Precision.AUTO && p == Precision.FP32) {
            String why = FastPath.kernels().map(k -> k.unsupported(Precision.BF16)).orElse(FastPath.status().detail());
            PrintWriter err = spec.commandLine().getErr();
            err.printf("%s: --precision auto: no native bfloat16 here (%s); computing in fp32%n", spec.qualifiedName(), why);
            err.flush();
        }
        return p;
    }
}
