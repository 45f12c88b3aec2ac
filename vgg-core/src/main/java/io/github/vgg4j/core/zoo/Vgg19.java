package io.github.vgg4j.core.zoo;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import org.deeplearning4j.zoo.PretrainedType;

import java.util.Map;
import java.util.function.Consumer;

/**
 * VGG19, the paper's 19 (configuration E), as a DL4J zoo model.
 *
 * <pre>{@code ComputationGraph net = new Vgg19(true, b -> b.numClasses(10).inputShape(3, 32, 32)).init();}</pre>
 */
public final class Vgg19 extends VggZooModel {
    private static final Map<PretrainedType, PretrainedFile> PRETRAINED = Map.of(
            PretrainedType.IMAGENET, new PretrainedFile("models/vgg19_dl4j_inference.zip", 2782932419L));

    public Vgg19() {
        this(false, null);
    }

    public Vgg19(boolean batchNorm) {
        this(batchNorm, null);
    }

    /** @param options further builder options (input shape, classes, head, ...); not the configuration */
    public Vgg19(boolean batchNorm, Consumer<VGGBuilder> options) {
        super(VggConfiguration.E, batchNorm, options);
    }

    @Override
    protected Map<PretrainedType, PretrainedFile> pretrainedFiles() {
        return PRETRAINED;
    }
}
