package io.github.vgg4j.core.io;

import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The real download code against a local HTTP server serving files the test creates. */
class DownloadsTest {
    @TempDir
    Path dir;
    private HttpServer server;
    private final byte[] payload = new byte[300_000];
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        new Random(1).nextBytes(payload);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/data/archive.bin", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, payload.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(payload);
            }
            ex.close();
        });
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private Checksum good() throws IOException {
        Path f = dir.resolve("reference");
        Files.write(f, payload);
        return Checksum.sha256(Checksum.sha256("").compute(f));
    }

    @Test
    void downloadsVerifiesAndThenUsesTheCache() throws IOException {
        Path target = dir.resolve("cache/archive.bin");
        Checksum sum = good();
        assertEquals(target, Downloads.fetch(url("/data/archive.bin"), target, sum));
        assertArrayEquals(payload, Files.readAllBytes(target));
        Downloads.fetch(url("/data/archive.bin"), target, sum);
        assertEquals(1, requests.get(), "a verified cached file is not downloaded again");
        assertEquals(1, count(target.getParent()), "no partial files left");
    }

    @Test
    void aCorruptCachedFileIsReplaced() throws IOException {
        Path target = dir.resolve("cache/archive.bin");
        Files.createDirectories(target.getParent());
        Files.write(target, new byte[] {1, 2, 3});
        Downloads.fetch(url("/data/archive.bin"), target, good());
        assertArrayEquals(payload, Files.readAllBytes(target));
    }

    @Test
    void aWrongChecksumKeepsNothing() throws IOException {
        Path target = dir.resolve("cache/archive.bin");
        Downloads.DownloadException e = assertThrows(Downloads.DownloadException.class,
                () -> Downloads.fetch(url("/data/archive.bin"), target, Checksum.md5("c32a1d4ab5d03f1284b67883e8d87530")));
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("c32a1d4ab5d03f1284b67883e8d87530"), e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(0, count(target.getParent()));
    }

    @Test
    void aTruncatedDownloadIsNeverMistakenForACompleteOne() throws Exception {
        // A server that announces the full length, sends half and drops the connection.
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + payload.length + "\r\n\r\n").getBytes());
                    out.write(payload, 0, payload.length / 2);
                    out.flush();
                } catch (IOException ignored) {
                    // the test asserts on the client side
                }
            });
            t.start();
            Path target = dir.resolve("cache/archive.bin");
            URI uri = URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/archive.bin");
            Downloads.DownloadException e = assertThrows(Downloads.DownloadException.class,
                    () -> Downloads.fetch(uri, target, good()));
            t.join();
            assertTrue(e.getMessage().contains(target.toAbsolutePath().toString()), e.getMessage());
            assertFalse(Files.exists(target));
            assertEquals(0, count(target.getParent()));
        }
    }

    @Test
    void httpErrorsAndOfflineSayWhichFileToPutWhere() throws IOException {
        Path target = dir.resolve("cache/weights.zip");
        Checksum sum = Checksum.adler32(3501732770L);
        Downloads.DownloadException notFound = assertThrows(Downloads.DownloadException.class,
                () -> Downloads.fetch(url("/missing"), target, sum));
        assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
        assertTrue(notFound.getMessage().contains("put it at " + target.toAbsolutePath()), notFound.getMessage());
        assertTrue(notFound.getMessage().contains("adler32 3501732770"), notFound.getMessage());

        System.setProperty(Downloads.OFFLINE, "true");
        try {
            Downloads.DownloadException offline = assertThrows(Downloads.DownloadException.class,
                    () -> Downloads.fetch(url("/data/archive.bin"), target, sum));
            assertTrue(offline.getMessage().contains("offline"), offline.getMessage());
            assertEquals(0, requests.get());
        } finally {
            System.clearProperty(Downloads.OFFLINE);
        }
    }

    private static long count(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }
}
