package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.SkippedFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Features of a data set through the frozen part of a network, computed once (in inference mode)
 * and kept on disk, so that the trainable head can be trained for many epochs without running the
 * expensive convolutions again. Entries are named by {@link CacheKey}: a different model, data
 * set, split, preprocessing or input size gets a new entry, never a stale one.
 *
 * <p>An entry is one file, written atomically: magic, the features (float32, little-endian, one
 * row per example), the class indices (int32), then a JSON header (example count, feature shape,
 * labels, the files skipped while featurizing) and the header's offset in the last 8 bytes, so the
 * file is written in one streaming pass.
 */
final class FeatureCache {
    private static final Logger log = LoggerFactory.getLogger(FeatureCache.class);
    private static final byte[] MAGIC = "VGG4JFT1".getBytes(StandardCharsets.US_ASCII);
    /** Where the feature rows start: after the magic. */
    static final int DATA_START = MAGIC.length;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;

    FeatureCache(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** What featurizing produced: the features and whether they came from the cache. */
    record Result(CachedFeatures features, boolean cacheHit, double seconds, Path file) {
    }

    /**
     * The features of {@code images} at the output of layer {@code freezeIndex} of {@code frozen}.
     *
     * @param images un-augmented images (each epoch would need new features otherwise)
     */
    Result featurize(Chain network, int freezeIndex, ImageBatches images, int batchSize, long seed) throws IOException {
        if (!images.augmentation().isNone() || images.fit().training()) {
            throw new IllegalArgumentException("featurizing needs the images without augmentation: features are computed "
                    + "once, and random crops or flips would need new ones every epoch");
        }
        long t0 = System.nanoTime();
        String key = CacheKey.of(network, freezeIndex, images);
        Path file = directory.resolve(key + ".features");
        if (Files.isRegularFile(file)) {
            try {
                CachedFeatures cached = CachedFeatures.open(file, batchSize, seed, images.skipped());
                log.info("features of {} from the cache {}", images.dataset().source(), file);
                return new Result(cached, true, (System.nanoTime() - t0) / 1e9, file);
            } catch (IOException e) {
                log.warn("feature cache entry {} is unreadable ({}): computing the features again", file, e.getMessage());
            }
        }
        Files.createDirectories(directory);
        MultiLayerNetwork frozen = network.slice(0, freezeIndex, null);
        write(file, frozen, images);
        CachedFeatures features = CachedFeatures.open(file, batchSize, seed, images.skipped());
        return new Result(features, false, (System.nanoTime() - t0) / 1e9, file);
    }

    private static void write(Path file, MultiLayerNetwork frozen, ImageBatches images) throws IOException {
        int classes = images.dataset().labels().size();
        AtomicFiles.write(file, tmp -> {
            List<Integer> labels = new ArrayList<>();
            long[] shape = null;
            long position;
            try (OutputStream raw = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
                out.write(MAGIC);
                images.startEpoch(0);
                ByteBuffer row = null;
                while (images.hasNext()) {
                    DataSet batch = images.next();
                    INDArray f = MemoryCheck.translatingOutOfMemory("featurizing", () -> frozen.output(batch.getFeatures(), false));
                    if (shape == null) {
                        shape = Arrays.copyOfRange(f.shape(), 1, f.rank());
                    }
                    float[] values = Nd4j.toFlattened('c', f).toFloatVector();
                    if (row == null || row.capacity() < values.length * 4) {
                        row = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    }
                    row.clear();
                    row.asFloatBuffer().put(values);
                    out.write(row.array(), 0, values.length * 4);
                    int[] y = batch.getLabels().argMax(1).toIntVector();
                    for (int v : y) {
                        labels.add(v);
                    }
                }
                if (labels.isEmpty()) {
                    throw new IOException("no readable image in " + images.dataset().source() + " to featurize"
                            + (images.skipped().count() > 0 ? " (" + images.skipped() + ")" : ""));
                }
                ByteBuffer ints = ByteBuffer.allocate(labels.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                labels.forEach(ints::putInt);
                out.write(ints.array());
                position = MAGIC.length + (long) labels.size() * 4 * (1 + product(shape));
                ObjectNode header = JSON.createObjectNode();
                header.put("examples", labels.size());
                ArrayNode s = header.putArray("shape");
                for (long d : shape) {
                    s.add(d);
                }
                header.put("classes", classes);
                header.put("source", images.dataset().source());
                ArrayNode skipped = header.putArray("skipped");
                for (SkippedFiles.Entry e : images.skipped().entries()) {
                    skipped.addObject().put("id", e.id()).put("reason", e.reason());
                }
                out.write(JSON.writeValueAsBytes(header));
                out.writeLong(position);
            }
        });
    }

    static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    /** The header of an entry, after checking that the file is whole. */
    static JsonNode header(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
        ch.read(magic, 0);
        ByteBuffer tail = ByteBuffer.allocate(8);
        if (size < MAGIC.length + 8 || !Arrays.equals(magic.array(), MAGIC) || ch.read(tail, size - 8) != 8) {
            throw new IOException(file + " is not a feature cache entry");
        }
        long at = tail.flip().getLong();
        if (at < MAGIC.length || at > size - 8) {
            throw new IOException(file + " is damaged: header offset " + at + " outside the file");
        }
        ByteBuffer h = ByteBuffer.allocate((int) (size - 8 - at));
        ch.read(h, at);
        JsonNode header = JSON.readTree(h.array());
        long n = header.path("examples").asLong(-1);
        long dim = 1;
        for (JsonNode d : header.path("shape")) {
            dim *= d.asLong();
        }
        if (n < 1 || at != MAGIC.length + n * 4 * (1 + dim)) {
            throw new IOException(file + " is damaged: " + n + " examples of " + dim + " features do not fill " + at + " bytes");
        }
        return header;
    }

    static FileChannel openRead(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }
}
