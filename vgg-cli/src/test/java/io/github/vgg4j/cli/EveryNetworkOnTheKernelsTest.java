package io.github.vgg4j.cli;

import io.github.vgg4j.core.Bytecode;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.zoo.Vgg11;
import io.github.vgg4j.core.zoo.Vgg13;
import io.github.vgg4j.core.zoo.Vgg16;
import io.github.vgg4j.core.zoo.Vgg19;
import io.github.vgg4j.core.zoo.VggZooModel;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;
import io.github.vgg4j.transfer.TransferModel;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rule of vgg4j's networks: every network vgg4j hands out or trains runs vgg4j's kernels
 * ({@link FastPath#apply}). Two checks: every public entry point that returns a network, called
 * as a user calls it; and, for entry points added later, the bytecode of every vgg4j class that
 * makes a DL4J network (a constructor, TransferLearning, ModelSerializer, DL4J's Keras import, a
 * copy) must also call {@code FastPath.apply}, or be listed below with the reason it need not.
 */
class EveryNetworkOnTheKernelsTest {
    private static final List<String> LABELS = List.of("a", "b");

    @TempDir
    Path dir;

    @Test
    void everyEntryPointHandsOutANetworkOnTheKernels() throws IOException {
        assertTrue(FastPath.status().kernels(), "the CLI's backend is vgg-onednn: " + FastPath.status());
        Map<String, Model> handedOut = new LinkedHashMap<>();
        VGGBuilder small = VGGBuilder.vgg11().batchNorm(true).inputShape(3, 32, 32).numClasses(4).head(Head.cifar())
                .widthMultiplier(0.0625);
        handedOut.put("VGGBuilder.buildNetwork", small.buildNetwork());
        handedOut.put("VGGBuilder.buildGraph", small.buildGraph());
        Consumer<VGGBuilder> tiny = b -> b.inputShape(3, 32, 32).numClasses(4).head(Head.cifar()).widthMultiplier(0.0625);
        for (VggZooModel zoo : List.of(new Vgg11(false, tiny), new Vgg13(false, tiny), new Vgg16(false, tiny),
                new Vgg19(false, tiny), new Vgg16(true, tiny))) {
            ComputationGraph g = zoo.init();
            handedOut.put(zoo.getClass().getSimpleName() + (zoo.builder().isBatchNorm() ? "(bn)" : "") + ".init", g);
        }

        Path mln = dir.resolve("mln.zip");
        Path graph = dir.resolve("graph.zip");
        ModelInfo info = new ModelInfo("vgg11_bn", new int[] {3, 32, 32}, List.of("w", "x", "y", "z"), Preprocessing.unitScale());
        ModelFiles.save(small.buildNetwork(), mln, info);
        ModelFiles.save(small.buildGraph(), graph, info);
        handedOut.put("ModelFiles.load (MultiLayerNetwork)", ModelFiles.load(mln).network());
        handedOut.put("ModelFiles.load (ComputationGraph)", ModelFiles.load(graph).network());
        PretrainedModel savedMln = Pretrained.saved(mln, Preprocessing.unitScale());
        PretrainedModel savedGraph = Pretrained.open(graph.toString());
        handedOut.put("Pretrained.saved", savedMln.network());
        handedOut.put("Pretrained.open", savedGraph.network());

        for (PretrainedModel base : List.of(savedMln, savedGraph)) {
            String form = base.isGraph() ? " (graph)" : " (multi-layer)";
            TransferModel head = FineTune.of(base).labels(LABELS).build();
            handedOut.put("FineTune.build" + form, head.network());
            TransferModel deeper = head.unfreezeThrough("block2_pool", 1e-3);
            handedOut.put("TransferModel.unfreezeThrough" + form, deeper.network());
            handedOut.put("TransferModel.plainNetwork" + form, deeper.plainNetwork());
        }

        List<String> without = new ArrayList<>();
        handedOut.forEach((entry, model) -> {
            List<String> plain = plainKernelLayers(model);
            if (!plain.isEmpty() || FastPath.implementations(model).isEmpty()) {
                without.add(entry + ": DL4J's own " + plain);
            }
        });
        assertEquals(List.of(), without, "entry points that hand out networks without vgg4j's kernels");
    }

    /** Convolution, pooling and batch-norm layers of DL4J's own classes (not vgg4j's subclasses). */
    private static List<String> plainKernelLayers(Model model) {
        Layer[] layers = model instanceof MultiLayerNetwork m ? m.getLayers() : ((ComputationGraph) model).getLayers();
        List<String> plain = new ArrayList<>();
        for (Layer l : layers) {
            Layer inner = l;
            while (inner instanceof BaseWrapperLayer w) {
                inner = w.getUnderlying();
            }
            Class<?> c = inner.getClass();
            if (c == ConvolutionLayer.class || c == SubsamplingLayer.class || c == BatchNormalization.class) {
                plain.add(l.conf().getLayer().getLayerName());
            }
        }
        return plain;
    }

    /** Calls that make a new DL4J network. */
    private static final List<String> MAKES_A_NETWORK = List.of(
            "Method org/deeplearning4j/nn/multilayer/MultiLayerNetwork.\"<init>\"",
            "Method org/deeplearning4j/nn/graph/ComputationGraph.\"<init>\"",
            "Method org/deeplearning4j/nn/multilayer/MultiLayerNetwork.clone",
            "Method org/deeplearning4j/nn/graph/ComputationGraph.clone",
            "Method org/deeplearning4j/nn/multilayer/MultiLayerNetwork.toComputationGraph",
            "Method org/deeplearning4j/nn/multilayer/MultiLayerNetwork.load",
            "Method org/deeplearning4j/nn/graph/ComputationGraph.load",
            "Method org/deeplearning4j/nn/transferlearning/TransferLearning$Builder.build",
            "Method org/deeplearning4j/nn/transferlearning/TransferLearning$GraphBuilder.build",
            "Method org/deeplearning4j/util/ModelSerializer.restore",
            "Method org/deeplearning4j/nn/modelimport/keras/KerasModelImport.import",
            "Method org/deeplearning4j/nn/modelimport/keras/KerasModel.getComputationGraph");
    private static final String APPLIES = "Method io/github/vgg4j/core/FastPath.apply";

    /** Classes that make a network and rightly do not apply the kernels to it, and why. */
    private static final Map<String, String> EXEMPT = Map.of(
            "io.github.vgg4j.transfer.KerasImport",
            "DL4J's Keras import is read for its weights only: the network handed out is VGGBuilder's (Networks.uninitialised)");

    @Test
    void everyClassThatMakesANetworkAppliesTheKernels() throws Exception {
        Map<String, List<String>> offenders = new TreeMap<>();
        int makers = 0;
        for (Path root : classRoots()) {
            Map<String, String> byClass = Bytecode.disassemble(root);
            Map<String, StringBuilder> byTopLevel = new TreeMap<>();
            byClass.forEach((name, code) -> byTopLevel.computeIfAbsent(name.replaceAll("\\$.*", ""), k -> new StringBuilder())
                    .append(code));
            for (var e : byTopLevel.entrySet()) {
                String code = e.getValue().toString();
                List<String> makes = MAKES_A_NETWORK.stream().filter(code::contains).toList();
                if (makes.isEmpty()) {
                    continue;
                }
                makers++;
                if (!code.contains(APPLIES) && !EXEMPT.containsKey(e.getKey())) {
                    offenders.put(e.getKey(), makes);
                }
            }
        }
        assertTrue(makers >= 6, "the scan found only " + makers + " classes that make networks: is it reading the classes?");
        assertEquals(Map.of(), offenders, "classes that make a DL4J network but never call FastPath.apply");
    }

    /** The class folders of vgg4j's modules on this test's classpath. */
    private static List<Path> classRoots() {
        return Stream.of(FastPath.class, io.github.vgg4j.datavec.TrainingData.class, FineTune.class,
                io.github.vgg4j.arbiter.Search.class, io.github.vgg4j.spark.SparkTraining.class, VggCli.class)
                .map(Bytecode::classRoot).toList();
    }

    @Test
    void theScanSeesACallThatMakesANetwork() {
        // The check above is only as good as its patterns: they must match what javac emits.
        TreeSet<String> seen = new TreeSet<>();
        String code = disassembleOne(io.github.vgg4j.core.VGGBuilder.class);
        MAKES_A_NETWORK.stream().filter(code::contains).forEach(seen::add);
        assertTrue(seen.contains("Method org/deeplearning4j/nn/multilayer/MultiLayerNetwork.\"<init>\""), code.substring(0, 200));
        assertTrue(code.contains(APPLIES));
    }

    private static String disassembleOne(Class<?> c) {
        try {
            return Bytecode.disassemble(Bytecode.classRoot(c)).get(c.getName());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
