package io.github.vgg4j.core;

import java.util.Locale;

/**
 * What vgg4j's kernels compute in. The network itself is always float32: its parameters, their
 * gradients, the updater's state, the loss and saved files; {@link #BF16} changes only the
 * arithmetic of the convolution, pooling and batch-norm kernels (and the activations passed between
 * two of them), as PyTorch's {@code torch.autocast("cpu", dtype=torch.bfloat16)} does.
 *
 * <pre>{@code
 * MultiLayerNetwork net = VGGBuilder.vgg16().precision(Precision.AUTO).buildNetwork();
 * FastPath.apply(ModelFiles.load(file).network(), Precision.BF16);   // a loaded model
 * }</pre>
 *
 * <p>bfloat16 keeps float32's exponent and 8 bits of its mantissa: about 2-3 significant decimal
 * digits per value, while sums inside the kernels accumulate in float32. docs/performance.md has
 * the speed and accuracy measured against float32.
 */
public enum Precision {
    /** float32 everywhere (the default). */
    FP32,
    /**
     * bfloat16 arithmetic in the kernels, float32 master weights. Needs a CPU that computes bfloat16
     * natively (AVX-512 BF16 or AMX, as oneDNN reports it); elsewhere {@link FastPath#apply(
     * org.deeplearning4j.nn.api.Model, Precision)} fails with a message saying why, instead of
     * emulating it slowly.
     */
    BF16,
    /** {@link #BF16} where the CPU computes it natively, {@link #FP32} elsewhere. */
    AUTO;

    /** {@code fp32}, {@code bf16} or {@code auto} (any case), e.g. from a command line. */
    public static Precision parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "fp32", "float32", "float" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "auto" -> AUTO;
            default -> throw new IllegalArgumentException("expected fp32, bf16 or auto, got '" + text + "'");
        };
    }

    /** {@code fp32}, {@code bf16} or {@code auto}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
