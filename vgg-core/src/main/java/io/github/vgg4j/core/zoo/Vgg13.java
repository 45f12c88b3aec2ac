package io.github.vgg4j.core.zoo;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import org.deeplearning4j.zoo.PretrainedType;

import java.util.Map;
import java.util.function.Consumer;

/**
 * VGG13, the paper's 13 (configuration B), as a DL4J zoo model.
 *
 * <pre>{@code ComputationGraph net = new Vgg13(true, b -> b.numClasses(10).inputShape(3, 32, 32)).init();}</pre>
 */
public final class Vgg13 extends VggZooModel {
    private static final Map<PretrainedType, PretrainedFile> PRETRAINED = Map.of();

    public Vgg13() {
        this(false, null);
    }

    public Vgg13(boolean batchNorm) {
        this(batchNorm, null);
    }

    /** @param options further builder options (input shape, classes, head, ...); not the configuration */
    public Vgg13(boolean batchNorm, Consumer<VGGBuilder> options) {
        super(VggConfiguration.B, batchNorm, options);
    }

    @Override
    protected Map<PretrainedType, PretrainedFile> pretrainedFiles() {
        return PRETRAINED;
    }
}
