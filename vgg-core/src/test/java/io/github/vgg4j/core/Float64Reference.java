package io.github.vgg4j.core;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support: the answer a float32 gradient is judged against. The same network on DL4J's plain
 * path in float64 (same configuration, the float32 parameters cast), its loss and gradients, and
 * for every gradient element the two things float32 rounding error depends on: the sum of the
 * absolute values of the terms that element is the sum of ({@link Tensor#magnitude}) and how many
 * terms there are ({@link Tensor#terms}). {@link GradientCheck} turns these into tolerances.
 *
 * <p>Why the magnitudes: a gradient element is a sum over the batch (and over the map positions for
 * convolution and batch norm). When its terms nearly cancel, float32 cannot get it to a fixed
 * relative accuracy: its error scales with sum |terms|, not with |sum|.
 *
 * <p>Why "follows the decisions" ({@link #of(MultiLayerConfiguration, INDArray, INDArray, INDArray, List)}):
 * a ReLU passes or blocks the error by the sign of its input, and a max pool sends it to the
 * largest input of its window. Where the float64 input is within float32 rounding of the decision
 * (a ReLU input of 1e-7, two pool inputs equal to 1e-7), a float32 path may decide the other way;
 * that moves one term of the gradients below it by its full size: not a rounding error but a
 * different, equally valid branch of a piecewise-linear function, and a gradient that is a small
 * sum of such terms (a batch-norm beta gradient) then differs by 1e-3 relative (issue 20: VGG11-BN,
 * step 8, 9_beta, on an Intel Xeon). So the reference is computed on the branch the float32 path
 * took: its backward pass uses the float32 path's ReLU masks and max-pool choices, and lists where
 * they differ from its own ({@link #decisions}). How far each of those was from the decision in
 * float64 is reported; the float32 path's forward values are checked separately (a defect that moved
 * values across a decision would show there, and in the loss).
 *
 * <p>The magnitudes come from each layer's float64 input and output error. The same code with signs
 * kept must give the gradient DL4J's layers compute, which {@link #of} checks, so the magnitudes are
 * of the sums actually computed. Layers with parameters it knows: 2-D convolution (stride 1, no
 * dilation, NCHW), batch norm (NCHW), dense and output layers; activations identity and ReLU
 * (others: no kinks followed); max and average pooling; parameter-free layers of any kind.
 */
public final class Float64Reference {

    /** One gradient tensor: float64 value, per-element sum of |terms|, number of terms per element. */
    public record Tensor(INDArray value, INDArray magnitude, long terms) {
    }

    /**
     * A ReLU or max-pool decision the float32 path took differently from float64: where (layer,
     * flat element or window) and how far float64 was from deciding the same way (|ReLU input|, or
     * the gap between the two pool inputs).
     */
    public record Decision(int layer, String name, String kind, long where, double distance) {
        @Override
        public String toString() {
            return String.format("%s (layer %d) %s at %d, %.2e from the tie in float64", name, layer, kind, where, distance);
        }
    }

    private final double score;
    private final Map<String, Tensor> tensors;
    private final List<INDArray> outputs;
    private final List<Decision> decisions;

    private Float64Reference(double score, Map<String, Tensor> tensors, List<INDArray> outputs, List<Decision> decisions) {
        this.score = score;
        this.tensors = tensors;
        this.outputs = outputs;
        this.decisions = decisions;
    }

    /** The float64 loss. */
    public double score() {
        return score;
    }

    /** Gradient tensors by DL4J's key ({@code "3_W"}), in layer order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Every layer's float64 output in training mode (index i: layer i). */
    public List<INDArray> outputs() {
        return outputs;
    }

    /** The decisions taken from the float32 path that float64 would have taken differently. */
    public List<Decision> decisions() {
        return decisions;
    }

    /** The reference of {@code net} at its parameters, on its own float64 decisions. */
    public static Float64Reference of(MultiLayerNetwork net, INDArray x, INDArray y) {
        return of(net.getLayerWiseConfigurations(), net.params(), x, y, null);
    }

    /**
     * The float64 reference of a configuration at a flat parameter vector ({@code net.params()}),
     * on one batch, in training mode; its ReLU and max-pool decisions are those that the layer
     * outputs {@code follow} (a float32 path's, index i: layer i, as {@code feedForward} gives
     * them without the input) show, or its own if null. ND4J's random generator is not touched.
     */
    public static Float64Reference of(MultiLayerConfiguration conf, INDArray params, INDArray x, INDArray y,
                                      List<INDArray> follow) {
        MultiLayerNetwork ref = network(conf, params);
        ref.initGradientsView(); // the layers' gradient arrays (DL4J makes them at the first backward pass)
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray yd = y.castTo(DataType.DOUBLE);
        ref.setInput(xd);
        ref.setLabels(yd);
        List<INDArray> acts = ref.feedForward(true, false);
        int n = ref.getnLayers();
        INDArray[] inputs = new INDArray[n];
        List<INDArray> outputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs[i] = ref.getLayer(i).input().dup();
            outputs.add(acts.get(i + 1).dup());
        }
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        IOutputLayer out = (IOutputLayer) ref.getLayer(n - 1);
        out.setLabels(yd);
        double score = out.computeScore(ref.calcRegularizationScore(true), true, mgr);

        Map<String, INDArray> gradient = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<Decision> decisions = new ArrayList<>();
        INDArray eps = null; // the error at the output of the layer below
        for (int i = n - 1; i >= 0; i--) {
            Layer l = ref.getLayer(i);
            String name = l.conf().getLayer().getLayerName();
            INDArray errorOut = eps; // null for the output layer
            INDArray followOut = follow == null ? null : follow.get(i).castTo(DataType.DOUBLE);
            INDArray followIn = follow == null || i == 0 ? null : follow.get(i - 1).castTo(DataType.DOUBLE);
            InputPreProcessor pre = ref.getLayerWiseConfigurations().getInputPreProcess(i);
            if (followIn != null && pre != null) {
                followIn = pre.preProcess(followIn, (int) xd.size(0), mgr);
            }
            Pair<Gradient, INDArray> p;
            INDArray dz = null; // the error at the pre-activation, for layers with parameters
            if (l instanceof ActivationLayer && relu(l)) {
                INDArray mask = mask(inputs[i], followOut == null ? null : followOut, l, i, name, "ReLU", decisions, inputs[i]);
                p = new Pair<>(null, errorOut.mul(mask));
            } else if (l instanceof SubsamplingLayer && l.getClass() == SubsamplingLayer.class) {
                p = new Pair<>(null, pool(l, i, name, inputs[i], followIn, errorOut, decisions));
            } else if ((l instanceof ConvolutionLayer && l.getClass() == ConvolutionLayer.class || l instanceof DenseLayer)
                    && relu(l)) {
                // ReLU inside the layer: apply the followed mask here, then the layer's own backward without it.
                INDArray z = outputs.get(i);
                dz = errorOut.mul(mask(z, followOut, l, i, name, "ReLU", decisions, z));
                BaseLayer c = (BaseLayer) l.conf().getLayer();
                IActivation relu = c.getActivationFn();
                c.setActivationFn(new ActivationIdentity());
                try {
                    p = l.backpropGradient(dz, mgr);
                } finally {
                    c.setActivationFn(relu);
                }
            } else {
                p = l.backpropGradient(errorOut, mgr);
                if (l.numParams() > 0 && !(l instanceof BatchNormalization)) {
                    dz = preActivationError((BaseLayer) l.conf().getLayer(), l, errorOut, inputs[i], yd);
                }
            }
            if (p.getFirst() != null) {
                for (var e : p.getFirst().gradientForVariable().entrySet()) {
                    gradient.put(i + "_" + e.getKey(), e.getValue().dup());
                }
            }
            if (l.numParams() > 0) {
                Map<String, Sums> sums = sums(l, inputs[i], errorOut, dz);
                for (var e : sums.entrySet()) {
                    String key = i + "_" + e.getKey();
                    INDArray g = gradient.get(key);
                    if (g == null) {
                        throw new IllegalStateException("no gradient " + key + " from " + l.getClass().getSimpleName());
                    }
                    // The signed sums must be the layer's own float64 gradient: then the magnitudes are of the right terms.
                    INDArray signed = e.getValue().signed.reshape(g.shape());
                    double off = signed.sub(g).norm2Number().doubleValue();
                    double size = e.getValue().magnitude.norm2Number().doubleValue();
                    if (off > 1e-9 * size) {
                        throw new IllegalStateException(key + ": the terms do not add up to DL4J's gradient (off by " + off
                                + ", sum |terms| " + size + "): " + l.getClass().getSimpleName() + " is not modelled right");
                    }
                    tensors.put(key, new Tensor(g, e.getValue().magnitude.reshape(g.shape()), e.getValue().terms));
                }
            }
            INDArray next = p.getSecond();
            if (pre != null && i > 0) {
                next = pre.backprop(next, (int) xd.size(0), mgr);
            }
            eps = next;
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(tensors.keySet());
        Collections.reverse(keys); // layer order, as the parameters are
        keys.forEach(k -> ordered.put(k, tensors.get(k)));
        for (String k : gradient.keySet()) {
            if (!ordered.containsKey(k)) {
                throw new IllegalStateException("no magnitudes for " + k);
            }
        }
        return new Float64Reference(score, ordered, outputs, decisions);
    }

    /** The network of {@code conf} in float64 on DL4J's plain path, with {@code params} cast to float64. */
    public static MultiLayerNetwork network(MultiLayerConfiguration conf, INDArray params) {
        MultiLayerConfiguration c = conf.clone();
        c.setDataType(DataType.DOUBLE);
        c.setTrainingWorkspaceMode(WorkspaceMode.NONE); // the per-layer arrays read above must stay valid
        c.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        c.setCacheMode(CacheMode.NONE);
        return PlainPath.init(c, params.castTo(DataType.DOUBLE));
    }

    private static boolean relu(Layer l) {
        return l.conf().getLayer() instanceof BaseLayer b && b.getActivationFn() instanceof ActivationReLU
                || l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a
                && a.getActivationFn() instanceof ActivationReLU;
    }

    /**
     * The ReLU mask to use: the float32 path's ({@code followOut > 0}) or float64's ({@code z > 0}).
     * Where they differ, a decision is recorded with float64's distance from it, |z| (for a ReLU
     * inside a layer, whose pre-activation is not kept, the output of the side that passed).
     */
    private static INDArray mask(INDArray z, INDArray followOut, Layer l, int i, String name, String kind,
                                 List<Decision> decisions, INDArray distanceFrom) {
        INDArray own = z.gt(0).castTo(DataType.DOUBLE);
        if (followOut == null) {
            return own;
        }
        INDArray theirs = followOut.gt(0).castTo(DataType.DOUBLE);
        double[] a = own.dup('c').data().asDouble(), b = theirs.dup('c').data().asDouble();
        double[] d = distanceFrom.dup('c').data().asDouble(), f = followOut.dup('c').data().asDouble();
        for (int k = 0; k < a.length; k++) {
            if (a[k] != b[k]) {
                decisions.add(new Decision(i, name, kind, k, Math.max(Math.abs(d[k]), l instanceof ActivationLayer ? 0 : f[k])));
            }
        }
        return theirs;
    }

    /**
     * A max (or average) pool's backward in float64: each window's error to its largest input (the
     * first of equal ones, as oneDNN and libnd4j choose), found in the followed float32 input if
     * given, else in float64's; differing choices are recorded.
     */
    private static INDArray pool(Layer l, int i, String name, INDArray in, INDArray followIn, INDArray errorOut,
                                 List<Decision> decisions) {
        var c = (org.deeplearning4j.nn.conf.layers.SubsamplingLayer) l.conf().getLayer();
        if (c.getPoolingType() != PoolingType.MAX || c.getPadding()[0] != 0 || c.getPadding()[1] != 0
                || c.getConvolutionMode() == ConvolutionMode.Same || c.getCnn2dDataFormat() != CNN2DFormat.NCHW
                || c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
            if (followIn == null || c.getPoolingType() != PoolingType.MAX) {
                return l.backpropGradient(errorOut, LayerWorkspaceMgr.noWorkspaces()).getSecond();
            }
            throw new UnsupportedOperationException("max pool with padding, dilation or NHWC: " + c);
        }
        double[] x = in.dup('c').data().asDouble();
        int[] own = argmax(c, in.shape(), x);
        int[] theirs = followIn == null ? own : argmax(c, in.shape(), followIn.dup('c').data().asDouble());
        double[] e = errorOut.dup('c').data().asDouble();
        double[] dx = new double[x.length];
        for (int k = 0; k < e.length; k++) {
            dx[theirs[k]] += e[k];
            if (own[k] != theirs[k]) {
                decisions.add(new Decision(i, name, "max-pool choice", theirs[k], x[own[k]] - x[theirs[k]]));
            }
        }
        return Nd4j.create(dx, in.shape(), 'c');
    }

    /**
     * For each output of a max pool (NCHW, no padding), the flat index of the input it takes: the
     * largest of its window, the first of equal ones (as oneDNN and libnd4j choose).
     */
    private static int[] argmax(org.deeplearning4j.nn.conf.layers.SubsamplingLayer c, long[] shape, double[] x) {
        int kh = c.getKernelSize()[0], kw = c.getKernelSize()[1], sh = c.getStride()[0], sw = c.getStride()[1];
        int planes = (int) (shape[0] * shape[1]), h = (int) shape[2], w = (int) shape[3];
        int oh = (h - kh) / sh + 1, ow = (w - kw) / sw + 1;
        int[] out = new int[planes * oh * ow];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * h * w;
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    int best = -1;
                    for (int a = 0; a < kh; a++) {
                        for (int b = 0; b < kw; b++) {
                            int at = base + (r * sh + a) * w + (q * sw + b);
                            if (best < 0 || x[at] > x[best]) {
                                best = at;
                            }
                        }
                    }
                    out[(plane * oh + r) * ow + q] = best;
                }
            }
        }
        return out;
    }

    /**
     * Whether two float32 paths' layer outputs (index i: layer i) take the same ReLU and max-pool
     * decisions everywhere: then a reference that follows one follows the other.
     */
    public static boolean sameDecisions(MultiLayerConfiguration conf, List<INDArray> a, List<INDArray> b) {
        for (int i = 0; i < a.size(); i++) {
            var l = conf.getConf(i).getLayer();
            boolean relu = l instanceof BaseLayer bl && bl.getActivationFn() instanceof ActivationReLU
                    || l instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer al && al.getActivationFn() instanceof ActivationReLU;
            if (relu && !a.get(i).gt(0).equals(b.get(i).gt(0))) {
                return false;
            }
            if (l instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer s && s.getPoolingType() == PoolingType.MAX && i > 0
                    && a.get(i - 1).rank() == 4 && conf.getInputPreProcess(i) == null) {
                INDArray pa = a.get(i - 1), pb = b.get(i - 1);
                if (!java.util.Arrays.equals(argmax(s, pa.shape(), pa.castTo(DataType.DOUBLE).dup('c').data().asDouble()),
                        argmax(s, pb.shape(), pb.castTo(DataType.DOUBLE).dup('c').data().asDouble()))) {
                    return false;
                }
            } else if (l instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer) {
                return false; // not modelled: compute both
            }
        }
        return true;
    }

    private record Sums(INDArray signed, INDArray magnitude, long terms) {
    }

    /**
     * Per parameter of layer {@code l}: the sum of its terms, the sum of their absolute values, and
     * how many, from the layer's float64 input, the error at its output and (conv, dense) the error
     * at its pre-activation.
     */
    private static Map<String, Sums> sums(Layer l, INDArray in, INDArray errorOut, INDArray dz) {
        Map<String, Sums> s = new LinkedHashMap<>();
        long n = in.size(0);
        if (l instanceof BatchNormalization) {
            var c = (org.deeplearning4j.nn.conf.layers.BatchNormalization) l.conf().getLayer();
            require(in.rank() == 4 && c.getCnn2DFormat() == CNN2DFormat.NCHW && !c.isLockGammaBeta(), l);
            long terms = n * in.size(2) * in.size(3);
            long ch = in.size(1);
            INDArray mean = in.mean(0, 2, 3);
            INDArray var = in.var(false, 0, 2, 3);
            INDArray xMu = in.sub(mean.reshape(1, ch, 1, 1));
            INDArray xHat = xMu.div(Transforms.sqrt(var.add(c.getEps()), false).reshape(1, ch, 1, 1));
            INDArray e = errorOut;
            s.put("gamma", new Sums(e.mul(xHat).sum(0, 2, 3), Transforms.abs(e.mul(xHat), false).sum(0, 2, 3), terms));
            s.put("beta", new Sums(e.sum(0, 2, 3), Transforms.abs(e, true).sum(0, 2, 3), terms));
            // The running estimates' updates, as DL4J makes them (the no-op updater subtracts them):
            // mean: (1-d)(running - batch mean); log10 std: log(var / var') / (2 ln 10), var' = d var + (1-d) batch var;
            // variance: (1-d)(running - batch var). Their float32 error comes from the batch mean and
            // variance, sums of L terms (|x| / L and (x-mu)^2 / L), and from the subtraction / ratio itself.
            double d = c.getDecay();
            INDArray runMean = l.getParam("mean").reshape(ch);
            s.put("mean", new Sums(runMean.sub(mean).muli(1 - d),
                    Transforms.abs(runMean, true).addi(Transforms.abs(in, true).mean(0, 2, 3)).muli(1 - d), terms));
            if (c.isUseLogStd()) {
                INDArray log10s = l.getParam("log10stdev").reshape(ch);
                INDArray runVar = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, DataType.DOUBLE), log10s, false);
                runVar.muli(runVar);
                INDArray next = runVar.mul(d).addi(var.mul(1 - d));
                double k = 1 / (2 * Math.log(10));
                s.put("log10stdev", new Sums(Transforms.log(runVar.div(next), false).muli(k),
                        var.mul(1 - d).divi(next).addi(1).muli(k), terms));
            } else {
                INDArray runVar = l.getParam("var").reshape(ch);
                s.put("var", new Sums(runVar.sub(var).muli(1 - d), Transforms.abs(runVar, true).addi(var).muli(1 - d), terms));
            }
        } else if (l instanceof ConvolutionLayer && l.getClass() == ConvolutionLayer.class) {
            var c = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) l.conf().getLayer();
            require(c.getCnn2dDataFormat() == CNN2DFormat.NCHW && c.getConvolutionMode() != ConvolutionMode.Same
                    && in.rank() == 4, l);
            long oh = dz.size(2), ow = dz.size(3), cin = in.size(1), cout = dz.size(1);
            int kh = c.getKernelSize()[0], kw = c.getKernelSize()[1];
            long terms = n * oh * ow;
            // Per weight, the sum over the batch and the map of x dz (signed) and of |x| |dz|: DL4J's own
            // weight-gradient computation (im2col, then one product), on x and dz, and on |x| and |dz|.
            INDArray[] sum = new INDArray[2];
            for (int k = 0; k < 2; k++) {
                INDArray col = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {n, oh, ow, cin, kh, kw}, 'c');
                Convolution.im2col(k == 0 ? in : Transforms.abs(in, true), kh, kw, c.getStride()[0], c.getStride()[1],
                        c.getPadding()[0], c.getPadding()[1], c.getDilation()[0], c.getDilation()[1], false,
                        col.permute(0, 3, 4, 5, 1, 2));
                INDArray d = (k == 0 ? dz.dup() : Transforms.abs(dz, true)).permute(1, 0, 2, 3).dup('c').reshape(cout, terms);
                sum[k] = d.mmul(col.reshape('c', terms, cin * kh * kw)).reshape('c', cout, cin, kh, kw);
            }
            s.put("W", new Sums(sum[0], sum[1], terms));
            if (l.paramTable().containsKey("b")) {
                s.put("b", new Sums(dz.sum(0, 2, 3), Transforms.abs(dz, true).sum(0, 2, 3), terms));
            }
        } else if (l instanceof DenseLayer || l instanceof org.deeplearning4j.nn.layers.OutputLayer) {
            require(in.rank() == 2, l);
            s.put("W", new Sums(in.transpose().mmul(dz), Transforms.abs(in, true).transpose().mmul(Transforms.abs(dz, true)), n));
            if (l.paramTable().containsKey("b")) {
                s.put("b", new Sums(dz.sum(0), Transforms.abs(dz, true).sum(0), n));
            }
        } else {
            throw new UnsupportedOperationException("no float64 magnitudes for " + l.getClass().getName());
        }
        return s;
    }

    /** dL/dz of a conv or dense layer without a ReLU inside (identity), or an output layer (its loss's gradient). */
    private static INDArray preActivationError(BaseLayer c, Layer l, INDArray errorOut, INDArray in, INDArray labels) {
        if (l instanceof org.deeplearning4j.nn.layers.OutputLayer) {
            var oc = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) c;
            INDArray z = in.mmul(l.getParam("W")).addiRowVector(l.getParam("b"));
            return oc.getLossFn().computeGradient(labels, z, oc.getActivationFn(), null);
        }
        if (c.getActivationFn() instanceof ActivationIdentity) {
            return errorOut;
        }
        throw new UnsupportedOperationException(l.getClass().getSimpleName() + ": activation " + c.getActivationFn());
    }

    private static void require(boolean ok, Layer l) {
        if (!ok) {
            throw new UnsupportedOperationException("no float64 magnitudes for this " + l.getClass().getSimpleName()
                    + " configuration: " + l.conf().getLayer());
        }
    }
}
