package io.github.vgg4j.core;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test support: the one rule by which a float32 computation (vgg4j's kernels, an import, a resumed
 * run) is judged against the exact answer, which is DL4J's plain path in float64 ({@link
 * Float64Reference}), with DL4J's plain path in float32 as the measure of what float32 rounding
 * does to the same computation.
 *
 * <p><b>The rule</b>, per tensor (every gradient, the loss, every layer's output): the candidate's
 * error against float64, as a 2-norm over the tensor, may be at most {@link #K} times what float32
 * rounding allows for that tensor, which is the larger of
 * <ul>
 *   <li>the plain float32 path's own error against float64 on the same tensor: it carries
 *       everything float32 does to that value, the errors of the layers above and below included;</li>
 *   <li>the rounding of the sum itself, {@code u * sqrt(ceil(log2 L)) * ||sum |terms| ||}: u = 2^-24,
 *       L terms per element. For terms of mixed sign (the cancelling sums this is for) a float32
 *       sum in any order is off by about u * sum|terms|; sqrt(log2 L) is the probabilistic growth
 *       of a blocked or pairwise sum, as gemm and oneDNN compute (Higham and Mary, SIAM J. Sci.
 *       Comput. 41(5), 2019). The worst case, u * log2 L * sum|terms|, was measured 10-50x above
 *       what both paths do and would hide a 1% error in a channel of the first batch norm.
 *       This floor matters where the plain path happens to be nearly exact, and for sums that
 *       nearly cancel: a batch-norm beta gradient (dL/dy summed over N*H*W, 25x to 100x
 *       cancellation here), the bias of a convolution in front of batch norm (exactly 0, so
 *       float32 returns only rounding noise).</li>
 * </ul>
 * Why K = 16: the candidate adds up the same terms in another order and blocking (and Winograd
 * through transforms that amplify rounding): measured on this suite's networks, direct convolution
 * at most 2x the plain path's error or the floor, Winograd 9x on one bias gradient (4x on layer
 * outputs); all passing comparisons here use at most 0.27 of their allowance. The defects the
 * checks must catch are reported at 1.7x (one channel 1% off, in the first batch norm's cancelling
 * sums of 8192 terms) to 10^4x their allowance (FastPathTest: a wrong batch-norm epsilon, one
 * image dropped, one channel 1% off, bfloat16 arithmetic).
 *
 * <p><b>Decisions</b>: the reference is computed on the float32 path's side of every ReLU and
 * max-pool decision that float64 takes differently ({@link Float64Reference}); they are listed in
 * the report. Without that, a ReLU input 3e-6 from zero moves a batch-norm beta gradient by 1e-3
 * relative (issue 20), whatever the tolerance.
 */
public final class GradientCheck {
    /** float32's unit roundoff, 2^-24. */
    public static final double U = 0x1p-24;
    /** How many times float32's allowance a candidate may use (see the class comment for why 16). */
    public static final double K = 16;

    private GradientCheck() {
    }

    /** ceil(log2 L), at least 1: the depth of a pairwise sum of L terms. */
    static double levels(long terms) {
        return Math.max(1, Math.ceil(Math.log(terms) / Math.log(2)));
    }

    /** What a float32 path computed on one batch in training mode: loss, every layer's output, gradients (float64 copies). */
    public record Path(double score, List<INDArray> outputs, Map<String, INDArray> gradients) {
    }

    /** Runs {@code net} on (x, y) in training mode: forward pass, then loss and gradients. */
    public static Path path(MultiLayerNetwork net, INDArray x, INDArray y) {
        List<INDArray> acts = net.feedForward(x, true);
        List<INDArray> outputs = new ArrayList<>();
        for (int i = 1; i < acts.size(); i++) {
            outputs.add(acts.get(i).castTo(DataType.DOUBLE));
        }
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return new Path(net.score(), outputs, copies(net.gradient().gradientForVariable()));
    }

    /** The same for a graph whose layers are named "0", "1", ... in order ({@code MultiLayerNetwork.toComputationGraph}). */
    public static Path path(ComputationGraph net, INDArray x, INDArray y) {
        Map<String, INDArray> acts = net.feedForward(x, true);
        List<INDArray> outputs = new ArrayList<>();
        for (int i = 0; i < net.getNumLayers(); i++) {
            outputs.add(acts.get(String.valueOf(i)).castTo(DataType.DOUBLE));
        }
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return new Path(net.score(), outputs, copies(net.gradient().gradientForVariable()));
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        g.forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE).dup()));
        return out;
    }

    /**
     * One tensor's verdict: the candidate's error against float64 (2-norm), the plain float32 path's,
     * the summation floor, and the allowance {@code K * max(plain, floor)}.
     */
    public record Row(String key, long terms, double norm, double magnitude, double error, double plainError,
                      double floor, double allowed) {
        public boolean ok() {
            return error <= allowed;
        }

        @Override
        public String toString() {
            return String.format("%-14s L=%6d |ref|=%.3e sum|terms|=%.3e (%.1fx) error %.3e (%.2e rel) plain %.3e floor %.3e"
                            + " allowed %.3e: %.3f of it%s", key, terms, norm, magnitude, magnitude / norm, error, error / norm,
                    plainError, floor, allowed, error / allowed, ok() ? "" : "  MISMATCH");
        }
    }

    private static Row row(String key, long terms, double norm, double magnitude, double error, double plainError) {
        double floor = U * Math.sqrt(levels(terms)) * magnitude;
        return new Row(key, terms, norm, magnitude, error, plainError, floor, K * Math.max(plainError, floor));
    }

    /** The verdicts of one comparison, and the decisions the references followed. */
    public record Comparison(List<Row> rows, List<Float64Reference.Decision> decisions,
                             List<Float64Reference.Decision> plainDecisions) {
        public List<Row> mismatches() {
            return rows.stream().filter(r -> !r.ok()).toList();
        }

        public Row row(String key) {
            return rows.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow(() -> new IllegalArgumentException(key));
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            rows.forEach(r -> sb.append(r).append('\n'));
            decisions.forEach(d -> sb.append("followed the candidate: ").append(d).append('\n'));
            plainDecisions.forEach(d -> sb.append("followed the plain path: ").append(d).append('\n'));
            return sb.toString();
        }

        /** Fails with every mismatch and the whole report if any tensor is beyond its allowance. */
        public void assertAgrees(String where) {
            List<Row> bad = mismatches();
            if (!bad.isEmpty()) {
                fail(where + ": " + bad.size() + " of " + rows.size() + " tensors differ from float64 by more than float32"
                        + " allows: " + bad.stream().map(Row::key).toList() + "\n" + report());
            }
        }
    }

    /**
     * The candidate and the plain float32 path, both run at {@code params} on (x, y) ({@link #path}),
     * against float64: the loss, every layer's output and every gradient (batch-norm running
     * estimates' updates included). The plain path must be DL4J's own (PlainPath), float32.
     */
    public static Comparison compare(MultiLayerConfiguration conf, INDArray params, INDArray x, INDArray y,
                                     Path candidate, Path plain) {
        Float64Reference rc = Float64Reference.of(conf, params, x, y, candidate.outputs());
        // The plain path's reference differs only where it decided a ReLU or max pool otherwise (rare): else the same.
        Float64Reference rp = Float64Reference.sameDecisions(conf, candidate.outputs(), plain.outputs()) ? rc
                : Float64Reference.of(conf, params, x, y, plain.outputs());
        List<Row> rows = new ArrayList<>();
        // The loss is the mean of N positive terms, -log p(label).
        rows.add(row("loss", x.size(0), Math.abs(rc.score()), Math.abs(rc.score()), Math.abs(candidate.score() - rc.score()),
                Math.abs(plain.score() - rp.score())));
        for (int i = 0; i < candidate.outputs().size(); i++) {
            rows.add(outputRow("output " + i, candidate.outputs().get(i), plain.outputs().get(i), rc.outputs().get(i),
                    rp.outputs().get(i)));
        }
        for (var t : rc.tensors().entrySet()) {
            String key = t.getKey();
            INDArray g = flat(t.getValue().value());
            if (!candidate.gradients().containsKey(key) || !plain.gradients().containsKey(key)) {
                throw new IllegalArgumentException("no gradient " + key + " from the candidate or the plain path");
            }
            rows.add(row(key, t.getValue().terms(), g.norm2Number().doubleValue(),
                    t.getValue().magnitude().norm2Number().doubleValue(),
                    flat(candidate.gradients().get(key)).sub(g).norm2Number().doubleValue(),
                    flat(plain.gradients().get(key)).sub(flat(rp.tensors().get(key).value())).norm2Number().doubleValue()));
        }
        return new Comparison(rows, rc.decisions(), rp.decisions());
    }

    /**
     * A layer output (or a network's prediction) against float64: the floor is the rounding of
     * storing each value in float32 (u * |value|), the rest is what the plain path's error shows.
     */
    public static Row outputRow(String what, INDArray candidate, INDArray plain, INDArray reference) {
        return outputRow(what, candidate, plain, reference, reference);
    }

    private static Row outputRow(String what, INDArray candidate, INDArray plain, INDArray reference, INDArray plainReference) {
        INDArray r = reference.castTo(DataType.DOUBLE);
        double norm = r.norm2Number().doubleValue();
        return row(what, 1, norm, norm, candidate.castTo(DataType.DOUBLE).sub(r).norm2Number().doubleValue(),
                plain.castTo(DataType.DOUBLE).sub(plainReference.castTo(DataType.DOUBLE)).norm2Number().doubleValue());
    }

    /**
     * One training step ({@code fit}) of the candidate and of the plain path, both from the same
     * parameters {@code before} and the same updater state: their parameters after it may differ
     * only as their gradients did. The updaters here (SGD, Nesterov momentum, and the no-op one of
     * batch norm's running estimates) are linear in the gradient given the state, so the difference
     * must be {@code -c (g_candidate - g_plain)}, c the updater's coefficient (learning rate, (1 +
     * momentum) for Nesterov, 1/N where DL4J averages over the batch); what remains may be the
     * update's own rounding (u |params|, u |step|) and the gradients' float32 noise within the
     * gradient rule. A fit that applied another gradient than {@code computeGradientAndScore}
     * gives, or kept updater or batch-norm state wrong, is off by the size of a step.
     */
    public static List<Row> stepRows(MultiLayerNetwork candidate, MultiLayerNetwork plain, INDArray before, Path c, Path p,
                                     Comparison gradients, long batch) {
        List<Row> rows = new ArrayList<>();
        long offset = 0;
        INDArray pBefore = flat(before), pCandidate = flat(candidate.params()), pPlain = flat(plain.params());
        for (int i = 0; i < candidate.getnLayers(); i++) {
            Layer l = candidate.getLayer(i);
            for (var e : l.paramTable().entrySet()) {
                String key = i + "_" + e.getKey();
                long n = e.getValue().length();
                INDArray old = pBefore.get(NDArrayIndex.interval(offset, offset + n));
                INDArray a = pCandidate.get(NDArrayIndex.interval(offset, offset + n));
                INDArray b = pPlain.get(NDArrayIndex.interval(offset, offset + n));
                offset += n;
                double coefficient = coefficient(l, e.getKey(), candidate.conf().isMiniBatch(), batch);
                INDArray predicted = flat(c.gradients().get(key)).sub(flat(p.gradients().get(key))).muli(-coefficient);
                double error = a.sub(b).subi(predicted).norm2Number().doubleValue();
                double rounding = U * (a.norm2Number().doubleValue() + a.sub(old).norm2Number().doubleValue());
                Row g = gradients.row(key);
                double noise = coefficient * Math.max(g.plainError(), g.floor());
                rows.add(new Row("step " + key, 1, a.norm2Number().doubleValue(), a.norm2Number().doubleValue(), error,
                        noise, rounding, K * (rounding + noise)));
            }
        }
        return rows;
    }

    private static double coefficient(Layer l, String param, boolean miniBatch, long batch) {
        IUpdater u = l.conf().getLayer().getUpdaterByParam(param);
        double scale = miniBatch && l.updaterDivideByMinibatch(param) ? 1.0 / batch : 1;
        if (u instanceof NoOp) {
            return scale;
        }
        if (u instanceof Sgd s && s.getLearningRateSchedule() == null) {
            return s.getLearningRate() * scale;
        }
        if (u instanceof Nesterovs s && s.getLearningRateSchedule() == null && s.getMomentumISchedule() == null) {
            return s.getLearningRate() * (1 + s.getMomentum()) * scale;
        }
        throw new UnsupportedOperationException("updater " + u + " of " + param);
    }

    /** A flat float64 copy in C order. */
    public static INDArray flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length());
    }
}
