package io.github.vgg4j.transfer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file (the format the Hugging Face hub serves): an 8-byte
 * little-endian header length N, N bytes of JSON ({@code {"name": {"dtype", "shape",
 * "data_offsets": [begin, end]}, "__metadata__": {...}}}), then the tensor data, offsets relative
 * to its start.
 *
 * <p>The file comes from the internet, so nothing in it is trusted: the header length must be
 * positive, inside the file and below {@value #MAX_HEADER_BYTES} bytes; every tensor's byte range
 * must lie inside the data, match its shape times its element size, and not overlap another.
 * Tensor data is read through a memory map, one tensor at a time, so a 500 MB file costs no heap.
 */
final class Safetensors implements Closeable {
    /** The reference implementation caps the header at 100 MB too. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The format's element types; {@link #floats} converts the floating-point ones. */
    enum DType {
        F32(4, true), F16(2, true), BF16(2, true), F64(8, true),
        BOOL(1, false), U8(1, false), I8(1, false), F8_E5M2(1, false), F8_E4M3(1, false), I16(2, false), U16(2, false),
        I32(4, false), U32(4, false), I64(8, false), U64(8, false);

        final int bytes;
        final boolean floating;

        DType(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }
    }

    /** One tensor's entry in the header. */
    record Tensor(String name, DType dtype, long[] shape, long begin, long end) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private Safetensors(Path file, FileChannel channel, long dataStart, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static Safetensors open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "safetensors file not found");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "it has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n <= 0 || n > size - 8 || n > MAX_HEADER_BYTES) {
                throw bad(file, "its header length is " + Long.toUnsignedString(n) + " bytes, but the file has " + size
                        + " bytes and a header must be 1.." + Math.min(size - 8, MAX_HEADER_BYTES)
                        + " bytes (truncated, or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (IOException e) {
                throw bad(file, "its header is not valid JSON (" + firstLine(e.getMessage()) + ")");
            }
            if (root == null || !root.isObject()) {
                throw bad(file, "its header is not a JSON object");
            }
            long dataStart = 8 + n;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Tensor> tensors = parse(file, root, size - dataStart, metadata);
            return new Safetensors(file, ch, dataStart, tensors, metadata);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static Map<String, Tensor> parse(Path file, JsonNode root, long dataSize, Map<String, String> metadata)
            throws WeightsFileException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (name.equals("__metadata__")) {
                if (t.isObject()) {
                    t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            if (!t.isObject() || !t.path("dtype").isTextual() || !t.path("shape").isArray() || !t.path("data_offsets").isArray()
                    || t.path("data_offsets").size() != 2) {
                throw bad(file, "tensor '" + name + "' needs dtype, shape and data_offsets [begin, end], got " + abbreviate(t));
            }
            DType dtype;
            try {
                dtype = DType.valueOf(t.get("dtype").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw bad(file, "tensor '" + name + "' has an unknown dtype " + t.get("dtype").asText());
            }
            long[] shape = new long[t.get("shape").size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = t.get("shape").get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) {
                    throw bad(file, "tensor '" + name + "' has an invalid shape " + t.get("shape"));
                }
                shape[i] = d.asLong();
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                    Math.multiplyExact(elements, (long) DType.F64.bytes);
                } catch (ArithmeticException overflow) {
                    throw bad(file, "tensor '" + name + "' has an impossibly large shape " + t.get("shape"));
                }
            }
            JsonNode b = t.get("data_offsets").get(0);
            JsonNode en = t.get("data_offsets").get(1);
            if (!b.canConvertToLong() || !en.canConvertToLong()) {
                throw bad(file, "tensor '" + name + "' has non-integer data_offsets " + t.get("data_offsets"));
            }
            long begin = b.asLong();
            long end = en.asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw bad(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] outside the "
                        + dataSize + " bytes of data after the header (truncated file?)");
            }
            if (end - begin != elements * dtype.bytes) {
                throw bad(file, "tensor '" + name + "' has shape " + Arrays.toString(shape) + " of " + dtype + " ("
                        + elements * dtype.bytes + " bytes) but data_offsets [" + begin + ", " + end + "] hold "
                        + (end - begin) + " bytes");
            }
            tensors.put(name, new Tensor(name, dtype, shape, begin, end));
        }
        List<Tensor> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort((x, y) -> Long.compare(x.begin(), y.begin()));
        for (int i = 1; i < byOffset.size(); i++) {
            Tensor prev = byOffset.get(i - 1);
            Tensor cur = byOffset.get(i);
            if (cur.begin() < prev.end()) {
                throw bad(file, "tensors '" + prev.name() + "' and '" + cur.name() + "' overlap (bytes " + cur.begin()
                        + ".." + prev.end() + ")");
            }
        }
        return Collections.unmodifiableMap(tensors);
    }

    Path file() {
        return file;
    }

    /** Tensors in header order. */
    Map<String, Tensor> tensors() {
        return tensors;
    }

    Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's values as floats, row-major ("C" order) as stored. */
    float[] floats(Tensor t) throws IOException {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw bad(file, "tensor '" + t.name() + "' has " + n + " elements, more than a Java array holds");
        }
        if (!t.dtype().floating) {
            throw new WeightsFileException(file + ": tensor " + t.name() + " holds " + t.dtype()
                    + " values; weights must be F32, F16, BF16 or F64");
        }
        float[] out = new float[(int) n];
        // Mapped per tensor: every VGG tensor is far below the 2 GB limit of one mapping.
        ByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.end() - t.begin())
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F64 -> {
                var d = buf.asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            case BF16 -> {
                var s = buf.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((s.get(i) & 0xffff) << 16);
                }
            }
            case F16 -> {
                var s = buf.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(s.get(i));
                }
            }
            default -> throw new IllegalStateException("unreachable: " + t.dtype());
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    private static WeightsFileException bad(Path file, String why) {
        return new WeightsFileException(file + " is not a valid safetensors file: " + why);
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
