package io.github.vgg4j.core.io;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * ND4J's binary array format ({@code Nd4j.write}: the {@code coefficients.bin} and
 * {@code updaterState.bin} of a DL4J model zip), read by vgg4j instead of {@code Nd4j.read}, which
 * allocates whatever lengths the file declares and writes the file's values into native memory
 * without bounds (a crafted length crashed the JVM; a crafted shape length grew it to 23 GB).
 *
 * <p>The format is two buffers, each {@code writeUTF(allocation mode)}, the length ({@code int}
 * for the three legacy modes, else {@code long}), {@code writeUTF(data type)}, then the values
 * big-endian: first the shape information ({@code [rank, shape.., strides.., extras, ews, order]}
 * as LONG or legacy INT), then the data. Here every declared value is checked before anything is
 * allocated: the rank (at most {@value #MAX_RANK}), the shape-information length (2 rank + 4), the
 * dimensions (their exact product is the data length), the order ('c' or 'f'), the data type (a
 * floating-point type, as network parameters are), the data length against what the caller
 * expects (the configuration's parameter count), and the header plus data against the entry's
 * real size. The array is then allocated with those checked sizes and filled with exactly that
 * many values. Strides, extras and element-wise stride are not used (the array is made in the
 * declared order), so no declared value reaches native code unchecked.
 */
final class Nd4jArrays {
    static final int MAX_RANK = 32;
    private static final int CHUNK = 1 << 16;

    private Nd4jArrays() {
    }

    /** What an array declares, checked: its values follow in the stream. */
    record Header(DataType type, long[] shape, char order, long length, int elementSize) {
        long dataBytes() {
            return length * elementSize;
        }

        String describe() {
            return type + " " + Arrays.toString(shape);
        }
    }

    /**
     * Reads and checks both headers.
     *
     * @param entryBytes  the entry's size: header and data must fill it exactly
     * @param expected    the number of values the caller needs, or -1 for any
     * @param where       the file and entry, for messages
     */
    static Header readHeader(DataInputStream in, long entryBytes, long expected, String where) throws IOException {
        long[] position = {0};
        try {
            BufferHeader shapeInfo = bufferHeader(in, position, where, "shape information");
            if (shapeInfo.type != DataType.LONG && shapeInfo.type != DataType.INT) {
                throw bad(where, "its shape information is of type " + shapeInfo.type + ", not LONG (or INT in old files)");
            }
            if (shapeInfo.length < 4 || shapeInfo.length > 2L * MAX_RANK + 4) {
                throw bad(where, "declares " + shapeInfo.length + " values of shape information; an array of rank 0 to " + MAX_RANK
                        + " has 4 to " + (2 * MAX_RANK + 4));
            }
            long[] info = new long[(int) shapeInfo.length];
            for (int i = 0; i < info.length; i++) {
                info[i] = shapeInfo.type == DataType.LONG ? in.readLong() : in.readInt();
            }
            position[0] += info.length * (long) (shapeInfo.type == DataType.LONG ? 8 : 4);
            long rank = info[0];
            if (rank < 0 || rank > MAX_RANK || info.length != 2 * rank + 4) {
                throw bad(where, "declares rank " + rank + " with " + info.length + " values of shape information (rank r needs 2r + 4)");
            }
            long[] shape = Arrays.copyOfRange(info, 1, 1 + (int) rank);
            long elements = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw bad(where, "declares a negative dimension in shape " + Arrays.toString(shape));
                }
                try {
                    elements = Math.multiplyExact(elements, d);
                } catch (ArithmeticException overflow) {
                    throw bad(where, "declares shape " + Arrays.toString(shape) + ", whose size overflows");
                }
            }
            long order = info[info.length - 1];
            if (order != 'c' && order != 'f') {
                throw bad(where, "declares array order " + order + "; ND4J arrays are 'c' (99) or 'f' (102)");
            }
            BufferHeader data = bufferHeader(in, position, where, "data");
            int size = switch (data.type) {
                case FLOAT -> 4;
                case DOUBLE -> 8;
                case HALF, BFLOAT16 -> 2;
                default -> throw bad(where, "holds " + data.type + " values; network parameters are FLOAT, DOUBLE, HALF or BFLOAT16");
            };
            if (data.length != elements) {
                throw bad(where, "declares " + data.length + " values for shape " + Arrays.toString(shape) + " (" + elements + ")");
            }
            if (expected >= 0 && data.length != expected) {
                throw bad(where, "holds " + data.length + " values; the model's configuration has " + expected);
            }
            long total;
            try {
                total = Math.addExact(position[0], Math.multiplyExact(data.length, size));
            } catch (ArithmeticException overflow) {
                throw bad(where, "declares " + data.length + " values, more than any file holds");
            }
            if (total != entryBytes) {
                throw bad(where, "declares " + data.length + " " + data.type + " values (" + total + " bytes with its header) but the entry has "
                        + entryBytes + " bytes");
            }
            if (data.length * size > Integer.MAX_VALUE - 8) {
                throw bad(where, "holds " + data.length * size + " bytes in one array; vgg4j reads arrays of up to 2 GB");
            }
            return new Header(data.type, shape, (char) order, data.length, size);
        } catch (EOFException e) {
            throw bad(where, "ends inside its header (truncated or not an ND4J array)");
        }
    }

    /** Allocates the array the header declares (outside any workspace) and fills it from the stream. */
    static INDArray read(DataInputStream in, Header h, String where) throws IOException {
        INDArray array;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            array = Nd4j.createUninitialized(h.type(), h.shape(), h.order());
        }
        try {
            fill(in, h, array.data(), where);
        } catch (IOException | RuntimeException e) {
            array.close();
            throw e;
        }
        Nd4j.getAffinityManager().tagLocation(array, AffinityManager.Location.HOST);
        return array;
    }

    /** Fills an existing array (e.g. a network's updater state) with the values the header declares. */
    static void readInto(DataInputStream in, Header h, INDArray target, String where) throws IOException {
        boolean vectors = h.shape().length <= 2 && target.isVectorOrScalar() && (h.shape().length < 2 || Math.min(h.shape()[0], h.shape()[1]) <= 1);
        if (target.dataType() != h.type() || target.isView() || target.length() != h.length() || target.data().length() != h.length()
                || !vectors && (!Arrays.equals(target.shape(), h.shape()) || target.ordering() != h.order())) {
            throw bad(where, "holds " + h.describe() + " ('" + h.order() + "'); the network needs " + target.dataType() + " "
                    + Arrays.toString(target.shape()) + " ('" + target.ordering() + "')");
        }
        fill(in, h, target.data(), where);
        Nd4j.getAffinityManager().tagLocation(target, AffinityManager.Location.HOST);
    }

    /** Copies the big-endian values into the buffer's memory in native order, a chunk at a time. */
    private static void fill(DataInputStream in, Header h, DataBuffer buffer, String where) throws IOException {
        ByteBuffer memory = buffer.asNio().order(ByteOrder.nativeOrder());
        long bytes = h.dataBytes();
        if (memory.capacity() < bytes) {
            throw new IOException(where + ": ND4J gave a buffer of " + memory.capacity() + " bytes for " + bytes);
        }
        byte[] chunk = new byte[CHUNK];
        long remaining = bytes;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(CHUNK, remaining);
                in.readFully(chunk, 0, n);
                ByteBuffer values = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN);
                switch (h.elementSize()) {
                    case 8 -> memory.asLongBuffer().put(values.asLongBuffer());
                    case 4 -> memory.asIntBuffer().put(values.asIntBuffer());
                    default -> memory.asShortBuffer().put(values.asShortBuffer());
                }
                memory.position(memory.position() + n);
                remaining -= n;
            }
        } catch (EOFException e) {
            throw bad(where, "ends after " + (bytes - remaining) + " of its " + bytes + " bytes of values (truncated)");
        }
    }

    private record BufferHeader(DataBuffer.AllocationMode mode, long length, DataType type) {
    }

    private static BufferHeader bufferHeader(DataInputStream in, long[] position, String where, String what) throws IOException {
        String modeName = readName(in, position, where, what);
        DataBuffer.AllocationMode mode;
        try {
            mode = DataBuffer.AllocationMode.valueOf(modeName);
        } catch (IllegalArgumentException e) {
            throw bad(where, "its " + what + " has allocation mode '" + printable(modeName) + "', which ND4J does not write");
        }
        // ND4J wrote the length as an int in the three legacy modes, a long since
        long length = mode.ordinal() < 3 ? in.readInt() : in.readLong();
        position[0] += mode.ordinal() < 3 ? 4 : 8;
        if (length < 0) {
            throw bad(where, "declares a negative " + what + " length (" + length + ")");
        }
        String typeName = readName(in, position, where, what);
        try {
            return new BufferHeader(mode, length, DataType.valueOf(typeName));
        } catch (IllegalArgumentException e) {
            throw bad(where, "its " + what + " has data type '" + printable(typeName) + "', which ND4J does not have");
        }
    }

    /** writeUTF's format (a 2-byte length, then the bytes), read with the length checked first: names are short ASCII. */
    private static String readName(DataInputStream in, long[] position, String where, String what) throws IOException {
        int length = in.readUnsignedShort();
        if (length > 32) {
            throw bad(where, "its " + what + " header has a name of " + length + " bytes (not an ND4J array)");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        position[0] += 2 + length;
        for (byte c : b) {
            if (c < 'A' || c > 'Z') {
                if (c != '_' && (c < '0' || c > '9')) {
                    throw bad(where, "its " + what + " header is not an ND4J array header");
                }
            }
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static IOException bad(String where, String what) {
        return new IOException(where + " " + what);
    }

    private static String printable(String s) {
        return s.replaceAll("[^ -~]", "?");
    }
}
