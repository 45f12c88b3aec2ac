package io.github.vgg4j.onednn;

import io.github.vgg4j.core.Precision;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The element types of one kernel: what oneDNN computes in, and the types of the plain ND4J arrays
 * it reads ({@code in}: the layer's input, and the error at it) and writes ({@code out}: its
 * output, and the error it receives). The reorders between the plain arrays and oneDNN's own
 * layouts convert between the two, so a kernel in bfloat16 takes float32 arrays as well.
 */
record Types(DataType compute, DataType in, DataType out) {
    static final Types FP32 = new Types(DataType.FLOAT, DataType.FLOAT, DataType.FLOAT);

    /**
     * A layer's types: computing in {@code precision} (FP32 or BF16), taking {@code input} as it
     * comes, writing bfloat16 only when told its consumer takes it.
     */
    static Types of(Precision precision, DataType input, boolean bf16Output) {
        boolean bf16 = precision == Precision.BF16;
        return new Types(bf16 ? DataType.BFLOAT16 : DataType.FLOAT, input,
                bf16 && bf16Output ? DataType.BFLOAT16 : DataType.FLOAT);
    }

    boolean bf16() {
        return compute == DataType.BFLOAT16;
    }

    /** For descriptions: empty in float32, so that float32's (and checkpoints' choices) read as before. */
    String tag() {
        return bf16() ? " bf16" : "";
    }
}
