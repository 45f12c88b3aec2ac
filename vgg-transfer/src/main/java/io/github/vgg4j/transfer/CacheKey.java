package io.github.vgg4j.transfer;

import io.github.vgg4j.core.Precision;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The name of a feature cache entry: a SHA-256 over everything the features depend on, so that a
 * stale cache is never reused.
 * <ul>
 *   <li>the frozen layers: their names, their configuration as it acts at inference (training-only
 *       settings such as the updater, weight decay and dropout are left out, so changing the
 *       learning rate keeps the cache) and every parameter value;</li>
 *   <li>the data: the examples in order (id and label), and each image file's size and
 *       modification time, or for in-memory sources (CIFAR-10, idx) the pixels themselves;</li>
 *   <li>how images become input: the fit (size, crop), the preprocessing, the label names;</li>
 *   <li>the kernels' precision, when it is not float32.</li>
 * </ul>
 */
final class CacheKey {
    static final String VERSION = "vgg4j-features-1";

    private CacheKey() {
    }

    static String of(Chain frozen, int freezeIndex, ImageBatches images) throws IOException {
        MessageDigest sha = sha256();
        text(sha, VERSION);
        if (frozen.precision() != Precision.FP32) {
            text(sha, frozen.precision().toString()); // bfloat16 features differ; float32 keys stay as they were
        }
        for (int i = 0; i <= freezeIndex; i++) {
            Chain.Step s = frozen.steps().get(i);
            text(sha, s.name());
            text(sha, inferenceView(s.conf().getLayer()));
            text(sha, String.valueOf(s.preProcessor()));
            if (s.numParams() > 0) {
                floats(sha, s.layer().params());
            }
        }
        ImageDataset data = images.dataset();
        text(sha, String.valueOf(images.fit()));
        text(sha, String.valueOf(images.preprocessing()));
        text(sha, String.valueOf(images.augmentation()));
        text(sha, String.join("\u0000", data.labels()));
        text(sha, data.source());
        Path root = asPath(data.source());
        byte[] buf = new byte[8];
        for (int i : images.indices()) {
            text(sha, data.id(i));
            sha.update(ByteBuffer.wrap(buf).putInt(0, data.label(i)).array(), 0, 4);
            Path file = root != null && data.fitsWhileReading() ? resolve(root, data.id(i)) : null;
            if (file != null && Files.isRegularFile(file)) {
                ByteBuffer.wrap(buf).putLong(0, Files.size(file));
                sha.update(buf);
                ByteBuffer.wrap(buf).putLong(0, Files.getLastModifiedTime(file).toMillis());
                sha.update(buf);
            } else {
                // In-memory sources read without decoding: hash the pixels (cheap next to featurizing).
                try {
                    sha.update(data.read(i, images.fit(), new SplittableRandom(0)).pixels());
                } catch (ImageDataset.BadImageException e) {
                    text(sha, "unreadable " + e.reason());
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The layer configuration with the settings that do not change its inference output removed. */
    private static String inferenceView(Layer conf) {
        Layer l = conf.clone();
        l.setIDropout(null);
        l.setConstraints(null);
        if (l instanceof BaseLayer b) {
            b.setIUpdater(null);
            b.setBiasUpdater(null);
            b.setRegularization(List.of());
            b.setRegularizationBias(List.of());
            b.setWeightInitFn(null);
            b.setWeightNoise(null);
            b.setGradientNormalization(null);
        }
        return l.getClass().getName() + l;
    }

    private static void floats(MessageDigest sha, INDArray params) {
        INDArray flat = params.reshape(params.length());
        long n = flat.length();
        int chunk = 1 << 20;
        ByteBuffer bytes = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long from = 0; from < n; from += chunk) {
            float[] part = flat.get(NDArrayIndex.interval(from, Math.min(n, from + chunk))).toFloatVector();
            bytes.clear();
            bytes.asFloatBuffer().put(part);
            sha.update(bytes.array(), 0, part.length * 4);
        }
    }

    private static void text(MessageDigest sha, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
        sha.update(b);
    }

    private static Path asPath(String source) {
        try {
            Path p = Path.of(source);
            return Files.isDirectory(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static Path resolve(Path root, String id) {
        try {
            return root.resolve(id);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
