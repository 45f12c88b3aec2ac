package io.github.vgg4j.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a model file before DL4J reads it, because a model file may come from anyone:
 * <ul>
 *   <li>DL4J instantiates the classes named in {@code configuration.json} ({@code "@class"}); only
 *       classes of DL4J, ND4J and vgg4j are accepted (extend with
 *       {@code -Dvgg4j.model.allowedClassPrefixes=com.example.,...}), so a file cannot make the loader
 *       construct arbitrary classes;</li>
 *   <li>DL4J reads every entry into memory: entries of unknown size, or more than
 *       {@value #MAX_ENTRY_BYTES} bytes, or a total beyond what the heap can hold, are refused before
 *       anything is inflated (a zip bomb cannot exhaust the JVM).</li>
 * </ul>
 * vgg4j never reads Java-serialised objects from a model (DL4J's optional {@code normalizer.bin} and
 * {@code objects/} entries are ignored), so loading a model cannot run code from the file. What a
 * model file can do: choose layer types, sizes and weights among DL4J's own classes, i.e. compute
 * whatever function those express.
 */
final class ModelFileSafety {
    static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 8;
    private static final List<String> ALLOWED = List.of("org.deeplearning4j.", "org.nd4j.", "io.github.vgg4j.");
    private static final Pattern CLASS = Pattern.compile("\"@class\"\\s*:\\s*\"([^\"]*)\"");

    private ModelFileSafety() {
    }

    static void checkEntries(Path file) throws IOException {
        long total = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) { // readable: ModelFiles has read configuration.json from it
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                long size = e.getSize();
                if (size < 0 || size > MAX_ENTRY_BYTES) {
                    throw new IOException(file + ": entry " + e.getName() + " declares " + size
                            + " bytes; model entries must have a known size below 2 GB");
                }
                total += size;
            }
        } catch (java.util.zip.ZipException | IllegalArgumentException e) {
            throw new IOException(file + " is not a model file (not a zip archive, or a damaged one: " + e.getMessage() + ")", e);
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (total > heap) {
            throw new IOException(file + " holds " + total / (1 << 20) + " MB uncompressed, more than the Java heap ("
                    + heap / (1 << 20) + " MB) that DL4J reads it into: raise -Xmx (./vgg: VGG_JAVA_OPTS=-Xmx...)");
        }
    }

    static void checkClasses(Path file, String configurationJson) throws IOException {
        List<String> allowed = new ArrayList<>(ALLOWED);
        String extra = System.getProperty("vgg4j.model.allowedClassPrefixes", "");
        for (String p : extra.split(",")) {
            if (!p.isBlank()) {
                allowed.add(p.trim());
            }
        }
        Matcher m = CLASS.matcher(configurationJson);
        while (m.find()) {
            String name = m.group(1);
            if (allowed.stream().noneMatch(name::startsWith)) {
                throw new IOException(file + ": configuration.json names class " + name + ", which is not part of DL4J, ND4J"
                        + " or vgg4j; refused (allow trusted packages with -Dvgg4j.model.allowedClassPrefixes=...)");
            }
        }
    }
}
