package io.github.vgg4j.core.zoo;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;
import io.github.vgg4j.core.io.ModelFiles;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ModelMetaData;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.ZooType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The VGG zoo models as DL4J {@link ZooModel}s, typed as DL4J's own zoo types them: {@code init()}
 * builds a {@link ComputationGraph} with {@link VGGBuilder#buildGraph()} (vertices named {@code
 * block1_conv1} ... {@code predictions}), and {@code initPretrained(type)} gives the pretrained
 * graph DL4J itself publishes, fetched into DL4J's zoo cache, checksum-verified and moved into place
 * atomically (offline it says which file to put where). Both are on vgg4j's kernels. For the {@code
 * MultiLayerNetwork} form use {@link #builder()}{@code .buildNetwork()}.
 *
 * <p>Named {@code Vgg16} (not {@code VGG16}) so that an import never picks DL4J's
 * {@code org.deeplearning4j.zoo.model.VGG16} by mistake: both are on the classpath.
 */
public abstract class VggZooModel extends ZooModel<VggZooModel> {

    /** A pretrained file DL4J publishes: path under DL4J's download base URL and its Adler-32. */
    protected record PretrainedFile(String path, long adler32) {
    }

    private final VggConfiguration configuration;
    private final VGGBuilder builder;

    protected VggZooModel(VggConfiguration configuration, boolean batchNorm, Consumer<VGGBuilder> options) {
        this.configuration = configuration;
        VGGBuilder b = VGGBuilder.of(configuration).batchNorm(batchNorm);
        if (options != null) {
            options.accept(b);
        }
        if (b.paperConfiguration().orElse(null) != configuration) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " is configuration "
                    + configuration.paperName() + "; use VGGBuilder for other configurations or custom blocks");
        }
        this.builder = b;
    }

    /** The pretrained files of this model, by type; empty where none are published. */
    protected abstract Map<PretrainedType, PretrainedFile> pretrainedFiles();

    /** A copy of the builder this model uses, for inspection or further customisation. */
    public VGGBuilder builder() {
        return builder.copy();
    }

    public VggConfiguration configuration() {
        return configuration;
    }

    /** The network, initialised (a fresh random one for the builder's seed), on vgg4j's kernels. */
    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph init() {
        return builder.buildGraph();
    }

    @Override
    public ModelMetaData metaData() {
        return new ModelMetaData(new int[][] {inputShape()}, 1, ZooType.CNN);
    }

    @Override
    public void setInputShape(int[][] inputShape) {
        if (inputShape == null || inputShape.length != 1 || inputShape[0].length != 3) {
            throw new IllegalArgumentException("a VGG takes one input of shape {channels, height, width}");
        }
        builder.inputShape(inputShape[0][0], inputShape[0][1], inputShape[0][2]);
    }

    /** What {@link #init()} and {@link #initPretrained(PretrainedType)} return. */
    @Override
    public Class<? extends Model> modelType() {
        return ComputationGraph.class;
    }

    /** {@code vgg16}, {@code vgg16_bn}, ...: also the folder of DL4J's zoo cache. */
    @Override
    public String modelName() {
        return builder.name();
    }

    /** Pretrained weights exist for the plain (no batch norm) networks only, as DL4J publishes them. */
    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        PretrainedFile f = builder.isBatchNorm() ? null : pretrainedFiles().get(pretrainedType);
        return f == null ? null : DL4JResources.getURLString(f.path());
    }

    @Override
    public long pretrainedChecksum(PretrainedType pretrainedType) {
        PretrainedFile f = builder.isBatchNorm() ? null : pretrainedFiles().get(pretrainedType);
        return f == null ? 0L : f.adler32();
    }

    /** Where the pretrained file lives in DL4J's zoo cache (shared with DL4J's own zoo). */
    public Path pretrainedFile(PretrainedType pretrainedType) {
        String url = requireUrl(pretrainedType);
        String fileName = url.substring(url.lastIndexOf('/') + 1);
        return DL4JResources.getDirectory(ResourceType.ZOO_MODEL, modelName()).toPath().resolve(fileName);
    }

    /**
     * The pretrained network (a ComputationGraph, 3x224x224 input) from DL4J's cache, downloaded
     * first if missing or corrupt.
     */
    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph initPretrained(PretrainedType pretrainedType) throws IOException {
        String url = requireUrl(pretrainedType);
        Path file = Downloads.fetch(URI.create(url), pretrainedFile(pretrainedType),
                Checksum.adler32(pretrainedChecksum(pretrainedType)));
        // through vgg4j's checked reader, as every model file (the checksum says the file is DL4J's, not what it can do)
        return (ComputationGraph) ModelFiles.load(file, true).network();
    }

    private String requireUrl(PretrainedType type) {
        String url = pretrainedUrl(type);
        if (url == null) {
            throw new UnsupportedOperationException(modelName() + " has no pretrained " + type + " weights; available: "
                    + (builder.isBatchNorm() ? "none (DL4J publishes no batch-norm VGG)" : pretrainedFiles().keySet()));
        }
        return url;
    }

    private int[] inputShape() {
        InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) builder.inputType();
        return new int[] {(int) t.getChannels(), (int) t.getHeight(), (int) t.getWidth()};
    }
}
