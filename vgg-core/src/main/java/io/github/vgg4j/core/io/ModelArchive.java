package io.github.vgg4j.core.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * One view of a model zip, read once. A zip describes its entries twice: a local header before
 * each entry's data, read in file order by streaming readers (DL4J's {@code ModelSerializer}), and
 * the central directory at the end, read by random-access ones ({@code ZipFile}, {@code unzip}).
 * A crafted zip can show each reader something else (a harmless configuration.json in the central
 * directory, another in a later local entry), so a check made through one view proves nothing
 * about what the other loads. Here:
 * <ul>
 *   <li>the central directory is read first: entry names must be unique, entries of known size,
 *       no folders (DL4J refuses them too), at most {@value #MAX_ENTRIES}; array entries
 *       ({@code coefficients.bin}, {@code updaterState.bin}) at most 2 GB each, every other entry at
 *       most {@value #MAX_SMALL_ENTRY_BYTES} bytes and {@value #MAX_SMALL_TOTAL_BYTES} together;</li>
 *   <li>then the local entries are streamed once, as DL4J reads them, and must be exactly the
 *       central directory's: the same names, once each, with the same sizes and CRCs, and for the
 *       JSON entries the same bytes; anything else is refused as a crafted or damaged zip;</li>
 *   <li>what is used comes from that one stream: configuration.json (before any array entry, as
 *       DL4J writes it), the arrays (handed to the {@link Reader} as they stream by, bounded to the
 *       entry's size), and the other JSON entries (vgg4j's info and training state).</li>
 * </ul>
 * Other entries (DL4J's Java-serialised {@code normalizer.bin}, {@code preprocessor.bin},
 * {@code objects/}) are skipped unread: nothing Java-serialised is ever deserialised.
 */
final class ModelArchive {
    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER_STATE = "updaterState.bin";
    static final long MAX_SMALL_ENTRY_BYTES = 64L << 20;
    static final long MAX_SMALL_TOTAL_BYTES = 256L << 20;
    static final long MAX_ARRAY_ENTRY_BYTES = Integer.MAX_VALUE - 8;
    static final int MAX_ENTRIES = 1000;

    private ModelArchive() {
    }

    /** Gets the configuration, then the array entries, while the file streams by. */
    interface Reader {
        /** configuration.json, before any array entry. */
        void configuration(String json) throws IOException;

        /** An array entry: read exactly {@code size} bytes from {@code in}; {@code where} names file and entry. */
        void array(String name, DataInputStream in, long size, String where) throws IOException;
    }

    /** What the pass kept: configuration.json (token-checked, {@link ModelFileSafety#scan}) and the other JSON entries (by name). */
    record Contents(String configuration, Map<String, byte[]> json) {
    }

    static boolean isArray(String name) {
        return name.equals(COEFFICIENTS) || name.equals(UPDATER_STATE);
    }

    /**
     * Reads the model file once; {@code reader} null skips the arrays (they are still checked
     * against the central directory).
     */
    static Contents read(Path file, Reader reader) throws IOException {
        requireRegularFile(file);
        try {
            Map<String, ZipEntry> central = new LinkedHashMap<>();
            Map<String, byte[]> centralJson = centralDirectory(file, central);
            return stream(file, central, centralJson, reader);
        } catch (ZipException | IllegalArgumentException e) {
            // IllegalArgumentException: java.util.zip's answer to an entry name that is not valid UTF-8
            throw new IOException(file + " is not a model file (not a zip archive, or a damaged one: " + e.getMessage() + ")", e);
        }
    }

    /** Model files are regular files: a FIFO or device is refused by its type, before it is opened. */
    static void requireRegularFile(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "model file not found");
        }
        if (a.isDirectory()) {
            throw new IOException(file + " is a folder, not a model file");
        }
        if (!a.isRegularFile()) {
            throw new IOException(file + " is not a regular file (a named pipe, socket or device); refused without opening it");
        }
    }

    /** Checks the central directory and returns the bytes of its JSON entries (to compare with the stream's). */
    private static Map<String, byte[]> centralDirectory(Path file, Map<String, ZipEntry> central) throws IOException {
        Map<String, byte[]> json = new LinkedHashMap<>();
        long small = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                String name = e.getName();
                if (central.put(name, e) != null) {
                    throw new IOException(file + ": the zip holds two entries named '" + printable(name)
                            + "'; refused (readers would differ on which one is the model)");
                }
                if (central.size() > MAX_ENTRIES) {
                    throw new IOException(file + " has more than " + MAX_ENTRIES + " entries; a model file has a handful");
                }
                if (e.isDirectory()) {
                    throw new IOException(file + ": entry '" + printable(name) + "' is a folder; DL4J model zips have none");
                }
                long size = e.getSize();
                long max = isArray(name) ? MAX_ARRAY_ENTRY_BYTES : MAX_SMALL_ENTRY_BYTES;
                if (size < 0 || size > max) {
                    throw new IOException(file + ": entry " + printable(name) + " declares " + size + " bytes; at most " + max
                            + " are read from " + (isArray(name) ? "an array entry" : "an entry of this kind"));
                }
                if (!isArray(name)) {
                    small += size;
                    if (small > MAX_SMALL_TOTAL_BYTES) {
                        throw new IOException(file + ": its entries other than the arrays declare more than " + MAX_SMALL_TOTAL_BYTES
                                + " bytes together");
                    }
                }
                if (name.endsWith(".json")) {
                    try (InputStream in = zip.getInputStream(e)) {
                        json.put(name, in.readNBytes((int) size));
                    }
                }
            }
        }
        return json;
    }

    private static Contents stream(Path file, Map<String, ZipEntry> central, Map<String, byte[]> centralJson, Reader reader)
            throws IOException {
        String configuration = null;
        Map<String, byte[]> json = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (ZipEntry local; (local = zip.getNextEntry()) != null; ) {
                String name = local.getName();
                ZipEntry c = central.get(name);
                if (c == null || !seen.add(name)) {
                    throw mismatch(file, "its entry '" + printable(name) + "' " + (c == null ? "is not in its central directory"
                            : "appears twice"));
                }
                String where = file + ": entry " + name;
                if (local.getSize() >= 0 && (local.getSize() != c.getSize() || local.getCrc() != c.getCrc())) {
                    throw differ(file, name, local, c);
                }
                Bounded data = new Bounded(zip, c.getSize(), where);
                byte[] bytes = null;
                if (name.endsWith(".json")) {
                    // the bytes every reader of either directory sees, before they are used
                    bytes = data.readAll();
                    if (!Arrays.equals(bytes, centralJson.get(name))) {
                        throw mismatch(file, "entry " + printable(name) + " holds other bytes in its local entry than through its central directory");
                    }
                }
                if (name.equals(CONFIGURATION)) {
                    configuration = utf8(bytes, where);
                    ModelFileSafety.scan(file, configuration);
                    if (reader != null) {
                        reader.configuration(configuration);
                    }
                } else if (isArray(name)) {
                    if (configuration == null) {
                        throw new IOException(where + " comes before " + CONFIGURATION + "; DL4J writes the configuration first");
                    }
                    if (reader != null) {
                        reader.array(name, new DataInputStream(data), c.getSize(), where);
                    }
                } else if (bytes != null) {
                    json.put(name, bytes);
                }
                data.requireEnd();
                if (local.getCrc() != c.getCrc() || local.getSize() != c.getSize()) {
                    throw differ(file, name, local, c);
                }
            }
        } catch (EOFException e) {
            throw new IOException(file + " is cut short (a truncated or damaged zip: " + e.getMessage() + ")", e);
        }
        if (seen.size() != central.size()) {
            Set<String> missing = new HashSet<>(central.keySet());
            missing.removeAll(seen);
            throw mismatch(file, "its central directory lists entries the file does not hold in sequence: " + printable(missing.toString()));
        }
        if (configuration == null) {
            throw new IOException(file + " is a zip archive but not a DL4J model (it has no " + CONFIGURATION + ")");
        }
        return new Contents(configuration, json);
    }

    private static IOException differ(Path file, String name, ZipEntry local, ZipEntry central) {
        return mismatch(file, "entry " + printable(name) + " has " + local.getSize() + " bytes (CRC " + Long.toHexString(local.getCrc())
                + ") in its local header and " + central.getSize() + " (CRC " + Long.toHexString(central.getCrc()) + ") in its central directory");
    }

    private static IOException mismatch(Path file, String what) {
        return new IOException(file + ": the zip's entries and its central directory disagree (" + what
                + "); refused: a crafted or damaged model file");
    }

    private static String utf8(byte[] bytes, String where) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(where + " is not UTF-8 text");
        }
    }

    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * An entry's data as the stream delivers it, held to the size the central directory declares:
     * more is an error when the end is required, and so is less.
     */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private final long size;
        private final String where;
        private long count;

        Bounded(InputStream in, long size, String where) {
            this.in = in;
            this.size = size;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            if (count >= size) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (count >= size) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, size - count));
            if (n > 0) {
                count += n;
            }
            return n;
        }

        byte[] readAll() throws IOException {
            byte[] all = readNBytes((int) size);
            if (all.length != size) {
                throw new IOException(where + " ends after " + all.length + " of the " + size + " bytes its zip header declares");
            }
            return all;
        }

        /** Consumes the rest of the entry; it must end exactly at the declared size. */
        void requireEnd() throws IOException {
            byte[] skip = new byte[1 << 16];
            while (count < size) {
                if (read(skip, 0, skip.length) < 0) {
                    throw new IOException(where + " ends after " + count + " of the " + size + " bytes its zip header declares");
                }
            }
            if (in.read() >= 0) {
                throw new IOException(where + " holds more than the " + size + " bytes its zip header declares");
            }
        }
    }
}
