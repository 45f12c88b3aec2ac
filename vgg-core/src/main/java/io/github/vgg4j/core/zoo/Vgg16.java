package io.github.vgg4j.core.zoo;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import org.deeplearning4j.zoo.PretrainedType;

import java.util.Map;
import java.util.function.Consumer;

/**
 * VGG16, the paper's 16 (configuration D), as a DL4J zoo model.
 *
 * <pre>{@code ComputationGraph net = new Vgg16(true, b -> b.numClasses(10).inputShape(3, 32, 32)).init();}</pre>
 */
public final class Vgg16 extends VggZooModel {
    private static final Map<PretrainedType, PretrainedFile> PRETRAINED = Map.of(
            PretrainedType.IMAGENET, new PretrainedFile("models/vgg16_dl4j_inference.zip", 3501732770L),
            PretrainedType.CIFAR10, new PretrainedFile("models/vgg16_dl4j_cifar10_inference.v1.zip", 2192260131L),
            PretrainedType.VGGFACE, new PretrainedFile("models/vgg16_dl4j_vggface_inference.v1.zip", 2706403553L));

    public Vgg16() {
        this(false, null);
    }

    public Vgg16(boolean batchNorm) {
        this(batchNorm, null);
    }

    /** @param options further builder options (input shape, classes, head, ...); not the configuration */
    public Vgg16(boolean batchNorm, Consumer<VGGBuilder> options) {
        super(VggConfiguration.D, batchNorm, options);
    }

    @Override
    protected Map<PretrainedType, PretrainedFile> pretrainedFiles() {
        return PRETRAINED;
    }
}
