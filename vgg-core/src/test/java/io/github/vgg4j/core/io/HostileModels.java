package io.github.vgg4j.core.io;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Generators of hostile model files: the entries of a real (tiny) model, then one thing changed,
 * written by Java's zip writer or, for the structural attacks, by {@link CraftedZip}.
 */
public final class HostileModels {
    private HostileModels() {
    }

    public static MultiLayerNetwork tinyNet() {
        return VGGBuilder.vgg11().batchNorm(true).inputShape(3, 32, 32).numClasses(3).head(Head.cifar())
                .widthMultiplier(0.0625).seed(7).buildNetwork();
    }

    public static final ModelInfo INFO = new ModelInfo("vgg11_bn", new int[] {3, 32, 32}, List.of("cat", "dog", "fox"),
            Preprocessing.cifar10(), Map.of());

    /** The entries of a tiny model saved by vgg4j with its updater state, in file order. */
    public static Map<String, byte[]> entries(Path dir) throws IOException {
        MultiLayerNetwork net = tinyNet();
        net.fit(Nd4j.rand(new int[] {2, 3, 32, 32}), Nd4j.eye(3).getRows(0, 1)); // creates updater state
        Path file = dir.resolve("source-model.zip");
        ModelFiles.save(net, file, INFO);
        Map<String, byte[]> entries = read(file);
        Files.delete(file);
        return entries;
    }

    /** The entries of a zip, in central-directory order. */
    public static Map<String, byte[]> read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    /** Writes the entries with Java's zip writer. */
    public static Path write(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
            }
        }
        return file;
    }

    public static Map<String, byte[]> with(Map<String, byte[]> entries, String name, byte[] data) {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        copy.put(name, data);
        return copy;
    }

    public static String configuration(Map<String, byte[]> entries) {
        return new String(entries.get("configuration.json"), StandardCharsets.UTF_8);
    }

    /** The configuration with its first activation's type id replaced by {@code replacement} (a key and value, JSON text). */
    public static byte[] firstActivation(Map<String, byte[]> entries, String replacement) {
        String json = configuration(entries);
        String target = "\"@class\" : \"org.nd4j.linalg.activations.impl.";
        int at = json.indexOf(target);
        int end = json.indexOf('"', at + target.length());
        return (json.substring(0, at) + replacement + json.substring(end + 1)).getBytes(StandardCharsets.UTF_8);
    }

    /** The fields of one array in ND4J's binary format, to be changed one at a time. */
    public record ArrayBytes(String shapeMode, long shapeLength, String shapeType, long[] shapeInfo, String dataMode,
                             long dataLength, String dataType, byte[] values) {

        public static ArrayBytes parse(byte[] b) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            String shapeMode = in.readUTF();
            long shapeLength = in.readLong();
            String shapeType = in.readUTF();
            long[] info = new long[(int) shapeLength];
            for (int i = 0; i < info.length; i++) {
                info[i] = in.readLong();
            }
            String dataMode = in.readUTF();
            long dataLength = in.readLong();
            String dataType = in.readUTF();
            return new ArrayBytes(shapeMode, shapeLength, shapeType, info, dataMode, dataLength, dataType, in.readAllBytes());
        }

        public byte[] bytes() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeUTF(shapeMode);
            if (List.of("DIRECT", "HEAP", "JAVACPP").contains(shapeMode)) {
                out.writeInt((int) shapeLength);
            } else {
                out.writeLong(shapeLength);
            }
            out.writeUTF(shapeType);
            for (long v : shapeInfo) {
                if (shapeType.equals("INT")) {
                    out.writeInt((int) v);
                } else {
                    out.writeLong(v);
                }
            }
            out.writeUTF(dataMode);
            if (List.of("DIRECT", "HEAP", "JAVACPP").contains(dataMode)) {
                out.writeInt((int) dataLength);
            } else {
                out.writeLong(dataLength);
            }
            out.writeUTF(dataType);
            out.write(values);
            return b.toByteArray();
        }

        public ArrayBytes dataLength(long n) {
            return new ArrayBytes(shapeMode, shapeLength, shapeType, shapeInfo, dataMode, n, dataType, values);
        }

        public ArrayBytes shapeLength(long n) {
            return new ArrayBytes(shapeMode, n, shapeType, shapeInfo, dataMode, dataLength, dataType, values);
        }

        public ArrayBytes shapeInfo(long... info) {
            return new ArrayBytes(shapeMode, info.length, shapeType, info, dataMode, dataLength, dataType, values);
        }

        public ArrayBytes dataType(String t) {
            return new ArrayBytes(shapeMode, shapeLength, shapeType, shapeInfo, dataMode, dataLength, t, values);
        }

        public ArrayBytes dataMode(String m) {
            return new ArrayBytes(shapeMode, shapeLength, shapeType, shapeInfo, m, dataLength, dataType, values);
        }

        public ArrayBytes values(byte[] v) {
            return new ArrayBytes(shapeMode, shapeLength, shapeType, shapeInfo, dataMode, dataLength, dataType, v);
        }
    }
}
