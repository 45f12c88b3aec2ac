package io.github.vgg4j.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fetches a published file (dataset archive, pretrained weights) into a cache, safely:
 * <ul>
 *   <li>a cached file is used only after its checksum matches; a corrupt one is replaced;</li>
 *   <li>the download goes to a temporary sibling ({@code .part}), is verified (length and checksum),
 *       and only then moved into place atomically, so an interrupted download is never mistaken
 *       for a complete one;</li>
 *   <li>offline ({@code -D}{@value #OFFLINE}{@code =true}, or no network) it fails at once with a
 *       message that names the file, where to put it and its checksum.</li>
 * </ul>
 */
public final class Downloads {
    /** {@code true}: never touch the network, only use what is in the cache. */
    public static final String OFFLINE = "vgg4j.offline";

    private static final Logger log = LoggerFactory.getLogger(Downloads.class);
    private static final int CONNECT_TIMEOUT_MS = 20_000;
    private static final int READ_TIMEOUT_MS = 60_000;

    private Downloads() {
    }

    /** Thrown when a file is neither in the cache nor downloadable; the message says what to do. */
    public static final class DownloadException extends IOException {
        public DownloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Returns {@code target}, downloading {@code source} to it first if it is missing or does not
     * match {@code expected}.
     */
    public static Path fetch(URI source, Path target, Checksum expected) throws IOException {
        if (Files.isRegularFile(target)) {
            if (expected.matches(target)) {
                return target;
            }
            log.warn("{} does not match its published checksum ({}): downloading it again", target, expected);
        }
        if (Boolean.getBoolean(OFFLINE)) {
            throw new DownloadException(missing(source, target, expected, "offline mode (-D" + OFFLINE + "=true)"), null);
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        log.info("downloading {} to {}", source, target);
        try {
            AtomicFiles.write(target, part -> download(source, part, expected));
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new DownloadException(missing(source, target, expected, e.getClass().getSimpleName() + ": " + e.getMessage()), e);
        }
        return target;
    }

    private static void download(URI source, Path part, Checksum expected) throws IOException {
        URLConnection connection = source.toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        if (connection instanceof HttpURLConnection http && http.getResponseCode() >= 400) {
            throw new IOException("HTTP " + http.getResponseCode() + " " + http.getResponseMessage());
        }
        long declared = connection.getContentLengthLong();
        Checksum.Digest digest = expected.start();
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(part)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                out.write(buf, 0, n);
                total += n;
            }
        }
        if (declared >= 0 && total != declared) {
            throw new IOException("download of " + source + " stopped after " + total + " of " + declared + " bytes");
        }
        String actual = digest.value();
        if (!actual.equals(expected.value())) {
            throw new DownloadException("downloaded " + source + " (" + total + " bytes) but its checksum is "
                    + actual + ", expected " + expected + ": the file is corrupt or has changed upstream; nothing was kept",
                    null);
        }
    }

    private static String missing(URI source, Path target, Checksum expected, String why) {
        return "could not download " + source + " (" + why + "). Download it by other means and put it at "
                + target.toAbsolutePath() + " (" + expected + ")";
    }
}
