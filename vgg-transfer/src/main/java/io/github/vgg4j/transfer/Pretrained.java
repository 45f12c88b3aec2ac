package io.github.vgg4j.transfer;

import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.zoo.Vgg16;
import io.github.vgg4j.core.zoo.Vgg19;
import io.github.vgg4j.core.zoo.VggZooModel;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where pretrained VGGs come from. Each source attaches the preprocessing its weights were trained
 * with, and it travels with every model fine-tuned from it.
 * <ul>
 *   <li>{@link #zoo}: DL4J's own published files (VGG16: IMAGENET, CIFAR10, VGGFACE; VGG19:
 *       IMAGENET), from DL4J's cache or downloaded there, checksum-verified; ComputationGraphs
 *       whose last layer is a dense {@code predictions} (VGGFace: {@code fc8}). Caffe BGR means.</li>
 *   <li>{@link #keras}: Keras applications' VGG16/VGG19 H5 files, whole models or weights only,
 *       with or without top, through DL4J's Keras import. Caffe BGR means.</li>
 *   <li>{@link #torchvision}: torchvision / timm weights in {@code .safetensors}, mapped onto the
 *       matching {@code VGGBuilder} network so that it computes torchvision's function. RGB,
 *       torchvision's mean/std.</li>
 *   <li>{@link #saved}: models saved by vgg4j (with their own info), or plain DL4J zips.</li>
 * </ul>
 *
 * <pre>{@code
 * PretrainedModel vgg16 = Pretrained.zoo(new Vgg16(), PretrainedType.IMAGENET);
 * PretrainedModel tv = Pretrained.torchvision(Path.of("vgg16.safetensors"), VggConfiguration.D, false);
 * PretrainedModel any = Pretrained.open("zoo:vgg19");   // or a .zip, .h5 or .safetensors path
 * }</pre>
 */
public final class Pretrained {
    /** keras-vggface's version-1 preprocessing (BGR means of the VGGFace data set). */
    static final Preprocessing VGGFACE = new Preprocessing("vggface", Preprocessing.ChannelOrder.BGR, 1.0,
            new double[] {93.5940, 104.7624, 129.1863}, new double[] {1, 1, 1});

    private Pretrained() {
    }

    /**
     * DL4J's published weights for a zoo model, from DL4J's cache ({@code ~/.deeplearning4j}),
     * downloaded and Adler-32 verified first if missing. Offline, the error names the file and
     * where to put it.
     */
    public static PretrainedModel zoo(VggZooModel model, PretrainedType type) throws IOException {
        Path file = model.pretrainedFile(type); // says which weights exist when these do not
        return zooFile(URI.create(model.pretrainedUrl(type)), file, Checksum.adler32(model.pretrainedChecksum(type)),
                model.modelName(), type);
    }

    /** The zoo loader with its checksum as a parameter (tests give the checksum of a stand-in file). */
    static PretrainedModel zooFile(URI source, Path file, Checksum checksum, String modelName, PretrainedType type)
            throws IOException {
        Path verified = Downloads.fetch(source, file, checksum);
        PretrainedModel m = saved(verified, preprocessingOf(type));
        if (!m.isGraph() || !Chain.isChain((ComputationGraph) m.network())) {
            throw new WeightsFileException(verified + " is not DL4J's pretrained " + modelName + " (expected a ComputationGraph "
                    + "of layers in a line)");
        }
        Map<String, String> props = Map.of("source", "dl4j-zoo " + modelName + " " + type.name().toLowerCase(Locale.ROOT));
        ModelInfo i = m.info();
        return new PretrainedModel(m.network(), new ModelInfo(modelName + "-" + type.name().toLowerCase(Locale.ROOT),
                i.inputShape(), List.of(), i.preprocessing(), props));
    }

    /** Keras applications' VGG16/VGG19: a whole model ({@code model.save}) or a weights file, with or without top. */
    public static PretrainedModel keras(Path h5) throws IOException {
        return KerasImport.load(h5);
    }

    /** torchvision / timm weights for a 224x224 input (the size they were trained at). */
    public static PretrainedModel torchvision(Path safetensors, VggConfiguration configuration, boolean batchNorm)
            throws IOException {
        return torchvision(safetensors, configuration, batchNorm, 224, 224, null);
    }

    /**
     * torchvision / timm weights at any input size (torchvision's adaptive pool is folded into fc1,
     * so the network still computes torchvision's function at that size).
     *
     * @param configuration null: inferred from the file's convolutions
     * @param batchNorm     null: inferred from the file (running statistics present)
     * @param numClasses    null: the file's; otherwise it must match the file's last layer
     */
    public static PretrainedModel torchvision(Path safetensors, VggConfiguration configuration, Boolean batchNorm,
                                              int height, int width, Integer numClasses) throws IOException {
        return TorchvisionImport.load(safetensors, configuration, batchNorm, height, width, numClasses);
    }

    /**
     * A model zip saved by vgg4j (its preprocessing and input shape come with it) or by DL4J, read
     * through vgg-core's checked loader ({@link ModelFiles#load}: a file from a stranger can neither
     * load classes outside DL4J, ND4J and vgg4j nor allocate more than its configuration declares).
     *
     * @param preprocessing used when the file carries none (a plain DL4J zip); may be null otherwise
     */
    public static PretrainedModel saved(Path zip, Preprocessing preprocessing) throws IOException {
        // vgg-core's loader checks the file (type, zip, classes, sizes, memory) before it allocates anything
        ModelFiles.LoadedModel loaded;
        try {
            loaded = ModelFiles.load(zip, false);
        } catch (OutOfMemoryError e) {
            throw MemoryCheck.explain("loading " + zip, e);
        }
        ModelInfo info = loaded.info();
        if (info == null || info.preprocessing() == null) {
            if (preprocessing == null) {
                throw new IOException(zip + " does not say which preprocessing its weights expect (a plain DL4J zip): "
                        + "give it (caffe-imagenet, torchvision-imagenet, unit-scale or cifar10)");
            }
            int[] shape = info != null ? info.inputShape() : inputShape(loaded.network());
            info = new ModelInfo(info != null ? info.architecture() : zip.getFileName().toString(), shape,
                    info != null ? info.labels() : List.of(), preprocessing, Map.of("source", "dl4j zip " + zip.getFileName()));
        }
        return new PretrainedModel(loaded.network(), info);
    }

    /**
     * The command line's {@code --base}: {@code zoo:vgg16}, {@code zoo:vgg16:cifar10},
     * {@code zoo:vgg16:vggface}, {@code zoo:vgg19}, or a path to a {@code .zip} (saved model),
     * {@code .h5} (Keras) or {@code .safetensors} (torchvision/timm, configuration inferred).
     */
    public static PretrainedModel open(String base) throws IOException {
        String b = base.trim();
        if (b.toLowerCase(Locale.ROOT).startsWith("zoo:")) {
            String[] parts = b.substring(4).toLowerCase(Locale.ROOT).split(":");
            VggZooModel model = switch (parts[0]) {
                case "vgg16" -> new Vgg16();
                case "vgg19" -> new Vgg19();
                default -> throw new IllegalArgumentException("unknown zoo model '" + parts[0] + "' in " + base
                        + ": expected zoo:vgg16, zoo:vgg16:cifar10, zoo:vgg16:vggface or zoo:vgg19");
            };
            PretrainedType type;
            try {
                type = parts.length > 1 ? PretrainedType.valueOf(parts[1].toUpperCase(Locale.ROOT)) : PretrainedType.IMAGENET;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown pretrained weights '" + parts[1] + "' in " + base
                        + ": expected imagenet, cifar10 or vggface");
            }
            if (model.pretrainedUrl(type) == null) {
                throw new IllegalArgumentException(base + ": DL4J publishes no " + type + " weights for " + model.modelName());
            }
            return zoo(model, type);
        }
        Path p = Path.of(b);
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras")) {
            return keras(p);
        }
        if (name.endsWith(".safetensors")) {
            return torchvision(p, null, null, 224, 224, null);
        }
        return saved(p, null);
    }

    static Preprocessing preprocessingOf(PretrainedType type) {
        return type == PretrainedType.VGGFACE ? VGGFACE : Preprocessing.caffeImagenet();
    }

    /**
     * The input a network was built for: channels from its first convolution, size from the map
     * its classifier flattens times two per pooling layer before it (224 when it has no classifier).
     */
    static int[] inputShape(org.deeplearning4j.nn.api.Model network) {
        Chain chain = Chain.of(network);
        int channels = chain.steps().stream().map(st -> st.conf().getLayer()).filter(l -> l instanceof ConvolutionLayer)
                .map(l -> (int) ((ConvolutionLayer) l).getNIn()).findFirst().orElse(3);
        int pools = 0;
        for (Chain.Step s : chain.steps()) {
            if (s.preProcessor() instanceof CnnToFeedForwardPreProcessor f) {
                return new int[] {channels, (int) f.getInputHeight() << pools, (int) f.getInputWidth() << pools};
            }
            if (s.conf().getLayer() instanceof SubsamplingLayer) {
                pools++;
            }
        }
        return new int[] {channels, 224, 224};
    }
}
