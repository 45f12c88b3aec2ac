package io.github.vgg4j.onednn;

import io.github.vgg4j.core.internal.Dl4jInternals;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward passes that write the error at a layer's input into that input's own memory, the
 * previous layer's output, instead of into a new array.
 *
 * <p>Why: DL4J keeps every layer's output of a training step until the step ends, and puts the
 * errors in flight into two more buffers, each the size of the largest output (2 x 411 MB for
 * VGG16 at 224x224, batch 32): that pair was what put vgg4j's training memory above PyTorch's,
 * which frees each output once its backward pass has used it. An output that has been used is
 * dead, and exactly the right size for its error.
 *
 * <p>The contract, between a layer ({@link Consumer}) and the one before it (the producer): the
 * producer agrees, for the output of its current training step, when every use of that output in
 * its own backward pass is over before the error arrives, and when multiplying the error by
 * {@code (output > 0)} changes nothing in its gradients (a ReLU's output; a max pool of one). The
 * consumer then writes the error, already multiplied by {@code (output > 0)}, over the output, and
 * tells the producer ({@link #errorWrittenOverOutput}), which then skips its ReLU's derivative.
 * Only MultiLayerNetworks are linked ({@link OneDnnKernels#install}): their layers form a chain, so
 * no other layer reads the output; and only inside DL4J's own training step (the output in the
 * open {@value #TRAINING_ACTIVATIONS} workspace): activations a caller got from {@code
 * feedForward} and passes to {@code backpropGradient} itself are left intact. A listener that
 * keeps the activations of {@code onForwardPass} and reads them after the backward pass sees
 * errors in them (DL4J's StatsListener computes its statistics inside {@code onForwardPass}).
 * {@code -Dvgg4j.onednn.inPlaceErrors=false} turns it off.
 */
interface ErrorInPlace {
    String PROPERTY = "vgg4j.onednn.inPlaceErrors";
    /** MultiLayerNetwork's workspace for the activations of a training step. */
    String TRAINING_ACTIVATIONS = Dl4jInternals.TRAINING_ACTIVATIONS;

    /**
     * Whether {@code output} may be overwritten: the feature is on and the array lives in the
     * training step's activations workspace, open now (DL4J's own training step).
     */
    static boolean allowedFor(INDArray output) {
        return Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) && output.isAttached()
                && TRAINING_ACTIVATIONS.equals(output.data().getParentWorkspace().getId())
                && Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(TRAINING_ACTIVATIONS);
    }

    /**
     * Whether the next layer may overwrite {@code output} (this layer's output of the current
     * training step) with the error at it, multiplied by {@code (output > 0)}.
     */
    boolean takesErrorInPlace(INDArray output);

    /**
     * Called by the next layer once it has written the error over this layer's output (after
     * {@link #takesErrorInPlace} said yes): the error this layer then receives is that output,
     * already multiplied by {@code (output > 0)}. Told, not inferred from the array's identity: a
     * caller could hand a layer's own output back to it as an error.
     */
    void errorWrittenOverOutput();

    /** A layer that can write its input's error in place, given its producer. */
    interface Consumer {
        void producer(ErrorInPlace producer);
    }

    /**
     * One layer's side of the contract, both ways: as the consumer of its producer's output and as
     * the producer of its own. The convolution and max-pool layers each hold one and delegate to it.
     */
    final class Link {
        private ErrorInPlace producer;
        /** The next layer wrote the error over this layer's output of the current step. */
        private boolean errorOverOutput;
        private boolean lastWroteInPlace;

        void producer(ErrorInPlace producer) {
            this.producer = producer;
        }

        /** A new training forward: nothing has been written over its output yet. */
        void forward() {
            errorOverOutput = false;
        }

        void errorWrittenOverOutput() {
            errorOverOutput = true;
        }

        /** Whether {@code epsilon} is this layer's {@code output} with the error written over it (already masked). */
        boolean receivedOverOutput(INDArray epsilon, INDArray output) {
            return errorOverOutput && epsilon == output;
        }

        /** Whether the producer lets the error at {@code input}, its output, be written over it. */
        boolean producerTakes(INDArray input) {
            return producer != null && producer.takesErrorInPlace(input);
        }

        /**
         * The array for the error at the input: {@code input} itself when written in place, else a new
         * one of the input's type in DL4J's errors workspace. DL4J checks that a returned error lives in its errors'
         * workspace; an error over the input lives where the activations do, which the workspace
         * manager is told. That exemption holds for the rest of this backward pass (DL4J makes new
         * managers for each) and for every layer below: an array in the activations workspace
         * returned as an error is no longer flagged for them either.
         */
        INDArray errorAtInput(boolean inPlace, INDArray input, LayerWorkspaceMgr workspaceMgr) {
            if (!inPlace) {
                return workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
            }
            if (input.isAttached()) {
                workspaceMgr.setNoLeverageOverride(input.data().getParentWorkspace().getId());
            }
            return input;
        }

        /** After the backward pass: tells the producer when its output now holds the error; the step is over. */
        void backwardDone(boolean wroteInPlace) {
            lastWroteInPlace = wroteInPlace;
            if (wroteInPlace) {
                producer.errorWrittenOverOutput();
            }
            errorOverOutput = false;
        }

        /** For the layer's description: whether its last backward pass wrote in place. */
        String describe() {
            return lastWroteInPlace ? "; error at the input written in place" : "";
        }
    }
}
