package io.github.vgg4j.cli;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** vgg train --ui: DL4J's UI serves the run's charts on the loopback interface and nowhere else. */
class TrainingUiTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An address of this machine other than loopback, if it has one. */
    private static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void servesTheRunsScoresOnLoopbackOnly() throws Exception {
        int port = freePort();
        try (TrainingUi ui = TrainingUi.start(port)) {
            assertEquals("http://127.0.0.1:" + port + "/train/overview", ui.address());
            MultiLayerNetwork net = FastPath.apply(VGGBuilder.of(VggConfiguration.A).batchNorm(true).widthMultiplier(1 / 16.0)
                    .inputShape(1, 32, 32).numClasses(3).head(Head.cifar()).seed(1).buildNetwork());
            net.addListeners(ui.listener(1));
            INDArray x = Nd4j.rand(new int[] {4, 1, 32, 32});
            INDArray y = Nd4j.eye(3).getRows(0, 1, 2, 0);
            for (int i = 0; i < 3; i++) {
                net.fit(x, y);
            }
            assertEquals(1, ui.storage().listSessionIDs().size(), "the listener wrote a session");
            HttpResponse<String> page = get(ui.address());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<html"), page.body());
            HttpResponse<String> data = get("http://127.0.0.1:" + port + "/train/overview/data");
            assertEquals(200, data.statusCode());
            assertTrue(data.body().contains("\"scores\""), "overview data has the score chart: " + data.body());

            Optional<InetAddress> external = externalAddress();
            Assumptions.assumeTrue(external.isPresent(),
                    "this machine has no non-loopback IPv4 address: cannot check that the UI is unreachable from one");
            try (Socket s = new Socket()) {
                assertThrows(IOException.class, () -> s.connect(new InetSocketAddress(external.get(), port), 2000),
                        "the UI must not accept connections on " + external.get());
            }
        }
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(TrainingUi.HOST))) {
            IOException e = assertThrows(IOException.class, () -> TrainingUi.start(taken.getLocalPort()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()) && e.getMessage().contains("--ui-port"),
                    e.getMessage());
        }
    }
}
