package io.github.vgg4j.onednn;

import io.github.vgg4j.core.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One of vgg4j's kernel layers as {@link OneDnnKernels} sees it: the precision it computes in, and
 * whether it may hand its output to the next layer in bfloat16.
 *
 * <p>Why bfloat16 between layers: in {@link Precision#BF16} the convolutions read and write
 * bfloat16 anyway; handing the next kernel layer a bfloat16 array halves the activations DL4J keeps
 * for the backward pass and the bytes each layer reads and writes, and the errors flowing back
 * between those layers are bfloat16 too (PyTorch's autocast does the same). A layer writes bfloat16
 * only when the next one is a kernel layer of a MultiLayerNetwork that {@link #takesBf16} (DL4J's
 * own layers, a ComputationGraph's vertices, which may feed several, and the loss see float32), and
 * every kernel layer also takes float32 and bfloat16 arrays it did not expect (DL4J's layers cast
 * a bfloat16 input to float32 themselves, which is where a layer that falls back ends up).
 */
interface KernelLayer {

    /** The layer's settings, which {@link OneDnnKernels#install} writes. */
    Mode mode();

    /** Whether the layer's kernel covers its configuration with a bfloat16 input (its fallback casts to float32). */
    boolean takesBf16();

    /** What a kernel layer computes in, and whether its consumer takes bfloat16. */
    final class Mode {
        private Precision precision = Precision.FP32;
        private boolean bf16Output;

        void set(Precision precision, boolean bf16Output) {
            this.precision = precision;
            this.bf16Output = bf16Output && precision == Precision.BF16;
        }

        Precision precision() {
            return precision;
        }

        /** The type of the layer's output array. */
        DataType output() {
            return bf16Output ? DataType.BFLOAT16 : DataType.FLOAT;
        }

        /** A convolution's types for this input: arithmetic in the precision. */
        Types arithmetic(DataType input) {
            return Types.of(precision, input, bf16Output);
        }

        /**
         * The error arriving at the layer's output, as the kernel reads it: of the output's type
         * (a converted copy when a caller or a fallback sent the other).
         */
        INDArray error(INDArray epsilon, DataType output) {
            return epsilon.dataType() == output ? epsilon : epsilon.castTo(output);
        }

        /** Whether an array is one a kernel layer reads: float32 or bfloat16. */
        static boolean readable(INDArray a) {
            return a != null && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.BFLOAT16);
        }

        @Override
        public String toString() {
            return precision == Precision.BF16 ? "bf16" + (bf16Output ? ", bf16 output" : "") : "fp32";
        }
    }
}
