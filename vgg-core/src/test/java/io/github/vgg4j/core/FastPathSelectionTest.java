package io.github.vgg4j.core;

import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How {@link FastPath} picks the kernels: the first provider that can run, unless DL4J's internals
 * differ from the version the kernels were built for; then no kernels, one line that says why, and
 * networks that train on DL4J's own layers.
 */
class FastPathSelectionTest {

    /** A provider that records whether it was asked to install (it must not be, when it may not run). */
    private static final class Recording implements KernelProvider {
        final String unavailable;
        int installs;

        Recording(String unavailable) {
            this.unavailable = unavailable;
        }

        @Override
        public String describe() {
            return "test kernels";
        }

        @Override
        public String unavailableReason() {
            return unavailable;
        }

        @Override
        public int install(Model model) {
            installs++;
            return 0;
        }

        @Override
        public List<String> implementations(Model model) {
            return List.of();
        }
    }

    @Test
    void aDl4jMismatchTurnsTheKernelsOffAndNetworksTrainOnDl4jsOwnLayers() {
        Recording kernels = new Recording(null);
        FastPath.Selection s = FastPath.select("CPU", List.of(kernels),
                () -> Optional.of("this DL4J differs from 1.0.0-M2.1 (AbstractLayer.input (field): no such field)"));
        assertFalse(s.status().kernels());
        assertEquals("test kernels off: this DL4J differs from 1.0.0-M2.1 (AbstractLayer.input (field): no such field)",
                s.status().detail());

        MultiLayerConfiguration conf = VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3).head(Head.cifar())
                .widthMultiplier(0.0625).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertSame(net, FastPath.apply(net, s));
        assertEquals(0, kernels.installs, "kernels that may not run are never installed");
        assertEquals(ConvolutionLayer.class, net.getLayer("block1_conv1").getClass());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(new int[] {6, 1, 32, 32});
        INDArray y = Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2);
        INDArray before = net.params().dup();
        net.fit(x, y);
        assertTrue(Double.isFinite(net.score()));
        assertNotEquals(before, net.params(), "it trains on DL4J's own layers");
    }

    @Test
    void theFirstProviderThatCanRunIsChosen() {
        Recording off = new Recording("natives not loaded");
        Recording on = new Recording(null);
        FastPath.Selection s = FastPath.select("CPU", List.of(off, on), Optional::empty);
        assertTrue(s.status().kernels());
        assertSame(on, s.provider());
        MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3).head(Head.cifar())
                .widthMultiplier(0.0625).buildNetwork();
        FastPath.apply(net, s);
        assertEquals(1, on.installs);
        assertEquals(0, off.installs);
    }

    @Test
    void withoutProvidersOrOptedOutTheStatusSaysWhatToDo() {
        FastPath.Status none = FastPath.select("CPU", List.of(), Optional::empty).status();
        assertFalse(none.kernels());
        assertTrue(none.detail().contains("io.github.vgg4j:vgg-onednn"), none.detail());
        FastPath.Status cuda = FastPath.select("CUDA", List.of(), Optional::empty).status();
        assertFalse(cuda.detail().contains("vgg-onednn"), "no CPU advice on CUDA: " + cuda.detail());
        assertTrue(FastPath.select("CPU", null, Optional::empty).status().detail().contains(FastPath.OPT_OUT + "=false"));
    }
}
