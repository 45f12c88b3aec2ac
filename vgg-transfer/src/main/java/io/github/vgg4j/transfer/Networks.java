package io.github.vgg4j.transfer;

import io.github.vgg4j.core.FastPath;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/** Network construction shared by the importers. */
final class Networks {

    private Networks() {
    }

    /**
     * A network with zeroed parameters, for importers that overwrite every one of them: skips the
     * random initialisation (seconds for VGG16's 138M parameters) and checks the memory first. On
     * vgg4j's kernels, as every network vgg4j hands out.
     */
    static MultiLayerNetwork uninitialised(MultiLayerConfiguration conf) {
        long n = 0;
        for (NeuralNetConfiguration c : conf.getConfs()) {
            n += c.getLayer().initializer().numParams(c);
        }
        MemoryCheck.beforeAllocating(n, "the network");
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        long params = n;
        MemoryCheck.translatingOutOfMemory("allocating the network", () -> {
            net.init(params == 0 ? null : Nd4j.zeros(conf.getDataType(), 1, params), false);
            return net;
        });
        return FastPath.apply(net); // the kernels share the parameter views the importers fill in
    }
}
