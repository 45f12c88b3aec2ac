package io.github.vgg4j.cli;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.VertxInternal;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * DL4J's training UI (the Vert.x server of deeplearning4j-ui) for one training run, listening on
 * the loopback interface only.
 *
 * <p>Why not {@code UIServer.getInstance()}: DL4J 1.0.0-M2.1's server calls
 * {@code vertx.createHttpServer().listen(port)}, which binds every network interface, so anyone
 * who can reach the machine sees the run. Here the same server class is deployed with a Vert.x
 * whose HTTP servers bind 127.0.0.1; from elsewhere, use an SSH tunnel
 * ({@code ssh -L 9000:127.0.0.1:9000 host}).
 */
final class TrainingUi implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final String PATH = "/train/overview";
    /** Where the UI is with the default port (the help and docs name this one address). */
    static final String OVERVIEW = "http://" + HOST + ":9000" + PATH;
    private static final String PORT_PROPERTY = "org.deeplearning4j.ui.port"; // read by DL4J's server

    private final Vertx vertx;
    private final StatsStorage storage = new InMemoryStatsStorage();
    private final int port;

    private TrainingUi(Vertx vertx, VertxUIServer server, int port) {
        this.vertx = vertx;
        this.port = port;
        server.attach(storage);
    }

    /** Starts the server on 127.0.0.1:port, or fails naming the port (e.g. already in use). */
    static TrainingUi start(int port) throws IOException {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--ui-port: expected 1-65535, got " + port);
        }
        String previous = System.getProperty(PORT_PROPERTY);
        System.setProperty(PORT_PROPERTY, String.valueOf(port));
        Vertx vertx = Vertx.vertx();
        LoopbackServer server = new LoopbackServer();
        CompletableFuture<String> deployed = new CompletableFuture<>();
        try {
            vertx.deployVerticle(server, r -> {
                if (r.succeeded()) {
                    deployed.complete(r.result());
                } else {
                    deployed.completeExceptionally(r.cause());
                }
            });
            deployed.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            vertx.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("the training UI could not listen on " + HOST + ":" + port + " (" + cause
                    + "); choose another port with --ui-port", cause);
        } finally {
            if (previous == null) {
                System.clearProperty(PORT_PROPERTY);
            } else {
                System.setProperty(PORT_PROPERTY, previous);
            }
        }
        return new TrainingUi(vertx, server, port);
    }

    String address() {
        return "http://" + HOST + ":" + port + PATH;
    }

    /** The listener that streams a network's training to this UI (every {@code frequency} iterations). */
    TrainingListener listener(int frequency) {
        return new StatsListener(storage, frequency);
    }

    StatsStorage storage() {
        return storage;
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        vertx.close(r -> closed.complete(null));
        try {
            closed.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing is best effort: the process is ending its run anyway
        }
    }

    /**
     * DL4J's server, initialised with a Vert.x whose HTTP servers listen on the loopback interface:
     * Vert.x 3.9's {@code listen(port, handler)} binds "0.0.0.0" whatever the server's options say,
     * so the server is wrapped too and that call becomes {@code listen(port, "127.0.0.1", handler)}.
     */
    static final class LoopbackServer extends VertxUIServer {
        @Override
        public void init(Vertx vertx, Context context) {
            super.init(loopback(vertx), context);
        }

        private static Vertx loopback(Vertx real) {
            Class<?> type = real instanceof VertxInternal ? VertxInternal.class : Vertx.class;
            return (Vertx) Proxy.newProxyInstance(TrainingUi.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                Object result = invoke(real, m, args);
                return result instanceof HttpServer server ? loopback(server) : result;
            });
        }

        private static HttpServer loopback(HttpServer real) {
            return (HttpServer) Proxy.newProxyInstance(TrainingUi.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                    (p, m, args) -> {
                        Class<?>[] types = m.getParameterTypes();
                        if (m.getName().equals("listen") && types.length == 2 && types[0] == int.class
                                && types[1] == Handler.class) {
                            real.listen((Integer) args[0], HOST, handlerOf(args[1]));
                            return p;
                        }
                        if (m.getName().equals("listen") && types.length == 1 && types[0] == int.class) {
                            real.listen((Integer) args[0], HOST);
                            return p;
                        }
                        if (m.getName().equals("listen") && (types.length == 0 || types[0] != int.class
                                || types.length > 1 && types[1] != String.class)) {
                            throw new UnsupportedOperationException("the training UI listens on " + HOST + " only");
                        }
                        Object result = invoke(real, m, args);
                        return result == real ? p : result; // fluent calls keep the wrapper
                    });
        }

        @SuppressWarnings("unchecked")
        private static Handler<AsyncResult<HttpServer>> handlerOf(Object h) {
            return (Handler<AsyncResult<HttpServer>>) h;
        }

        private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
