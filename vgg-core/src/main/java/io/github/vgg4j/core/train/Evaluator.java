package io.github.vgg4j.core.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/** Evaluates a classifier on a labelled iterator in one pass: accuracy, confusion, loss. */
public final class Evaluator {
    private static final double EPS = 1e-7;

    private Evaluator() {
    }

    /**
     * Runs inference over the whole iterator (reset first) in test mode (no dropout). The memory of
     * the training activations is freed before, and that of the inference buffers after
     * ({@link Workspaces}): evaluating between epochs does not add to training's peak memory.
     *
     * @throws IllegalStateException when the iterator gives no examples at all (a data problem, not a usage error)
     */
    public static EvaluationReport evaluate(Model model, DataSetIterator data, List<String> labels) {
        Workspaces.releaseActivations();
        try {
            return evaluateInference(model, data, labels);
        } finally {
            Workspaces.releaseActivations();
        }
    }

    private static EvaluationReport evaluateInference(Model model, DataSetIterator data, List<String> labels) {
        int k = labels.size();
        int[][] confusion = new int[k][k];
        long n = 0;
        double lossSum = 0;
        if (data.resetSupported()) {
            data.reset();
        }
        while (data.hasNext()) {
            DataSet ds = data.next();
            INDArray y = ds.getLabels();
            if (y == null) {
                throw new IllegalArgumentException("cannot evaluate on unlabelled data");
            }
            if (y.size(1) != k) {
                throw new IllegalArgumentException("the data has " + y.size(1) + " classes, the model " + k);
            }
            INDArray p = output(model, ds.getFeatures());
            int[] actual = y.argMax(1).toIntVector();
            int[] predicted = p.argMax(1).toIntVector();
            for (int i = 0; i < actual.length; i++) {
                confusion[actual[i]][predicted[i]]++;
            }
            // mean cross-entropy: -sum(y * log(p)) per example
            lossSum -= Transforms.log(Transforms.max(p, EPS, true), false).muli(y).sumNumber().doubleValue();
            n += actual.length;
        }
        if (n == 0) {
            // an accuracy of no examples is NaN, which reads as a result: it is the data that is wrong
            throw new IllegalStateException("nothing to evaluate: the data gave no examples (the set is empty, or every example"
                    + " was skipped as unreadable)");
        }
        long correct = 0;
        for (int c = 0; c < k; c++) {
            correct += confusion[c][c];
        }
        return new EvaluationReport(labels, n, correct / (double) n, lossSum / n, confusion);
    }

    static INDArray output(Model model, INDArray x) {
        if (model instanceof MultiLayerNetwork m) {
            return m.output(x, false);
        }
        if (model instanceof ComputationGraph g) {
            return g.outputSingle(false, x);
        }
        throw new IllegalArgumentException("cannot evaluate a " + model.getClass().getSimpleName());
    }

    /** The probabilities of a batch (for prediction). */
    public static INDArray predict(Model model, INDArray x) {
        return output(model, x);
    }
}
