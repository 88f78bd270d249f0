package lessismore.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import lessismore.output.Json;
import lessismore.output.JsonReader;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol with the JDK's WebSocket, for the
 * browser tests; no Selenium. Every wait is bounded by one deadline, and {@link #close()} always
 * ends the browser and its child processes.
 */
final class Chromium implements AutoCloseable {
    private final Process process;
    private final Instant deadline;
    private final HttpClient http;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new ArrayList<>();

    private Chromium(Process process, Instant deadline, HttpClient http, WebSocket socket) {
        this.process = process;
        this.deadline = deadline;
        this.http = http;
        this.socket = socket;
    }

    /**
     * Starts {@code binary} headless with a fresh profile in {@code profile}, without background
     * networking, and connects to its first page.
     *
     * @param deadline when every later wait gives up
     */
    static Chromium start(Path binary, Path profile, Instant deadline) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                "--window-size=1280,900", "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile())
                .start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            // Chromium writes the port it chose once it listens.
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (!p.isAlive()) {
                    throw new IOException("chromium exited with " + p.exitValue());
                }
                pause(deadline, 100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().trim());
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String page = null;
            for (Object o : (List<?>) JsonReader.parse(list)) {
                Map<?, ?> target = (Map<?, ?>) o;
                if ("page".equals(target.get("type"))) {
                    page = (String) target.get("webSocketDebuggerUrl");
                    break;
                }
            }
            if (page == null) {
                throw new IOException("no page target in " + list);
            }
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(page), listener).get(remaining(deadline), TimeUnit.MILLISECONDS);
            Chromium c = new Chromium(p, deadline, http, ws);
            listener.owner = c;
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            kill(p);
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            kill(p);
            throw new IOException("cannot connect to chromium", e);
        }
    }

    /** Calls a DevTools method and returns its result; fails on a protocol error or the deadline. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(String method, Map<String, Object> params) throws IOException, InterruptedException {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", id);
        msg.put("method", method);
        msg.put("params", params);
        try {
            socket.sendText(Json.write(msg), true).get(remaining(deadline), TimeUnit.MILLISECONDS);
            Map<String, Object> reply = f.get(remaining(deadline), TimeUnit.MILLISECONDS);
            if (reply.get("error") != null) {
                throw new IOException(method + ": " + reply.get("error"));
            }
            return (Map<String, Object>) reply.get("result");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(method + " got no answer", e);
        } finally {
            pending.remove(id);
        }
    }

    /** Evaluates a JavaScript expression in the page and returns its value. */
    Object evaluate(String expression) throws IOException, InterruptedException {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.get("exceptionDetails") != null) {
            throw new IOException(expression + " threw " + r.get("exceptionDetails"));
        }
        return ((Map<?, ?>) r.get("result")).get("value");
    }

    /** Evaluates {@code expression} every 100 ms until it is true, or fails at the deadline. */
    void waitFor(String expression) throws IOException, InterruptedException {
        while (!Boolean.TRUE.equals(evaluate(expression))) {
            pause(deadline, 100);
        }
    }

    /** The events received so far (method and params), in order. */
    synchronized List<Map<String, Object>> events() {
        return List.copyOf(events);
    }

    private synchronized void received(Map<String, Object> msg) {
        if (msg.get("id") instanceof Number id) {
            CompletableFuture<Map<String, Object>> f = pending.get(id.intValue());
            if (f != null) {
                f.complete(msg);
            }
        } else {
            events.add(msg);
        }
    }

    @Override
    public void close() {
        // Asked to close, Chromium removes its temporary files; a signal would leave them in /tmp.
        try {
            socket.sendText("{\"id\":0,\"method\":\"Browser.close\"}", true).get(2, TimeUnit.SECONDS);
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // The browser is gone or stuck: kill below takes care of both.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.abort();
        http.close();
        kill(process);
    }

    /** Ends the browser and every process it started (renderers, GPU and utility processes). */
    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static long remaining(Instant deadline) throws IOException {
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw new IOException("chromium did not answer in time");
        }
        return ms;
    }

    private static void pause(Instant deadline, long ms) throws IOException, InterruptedException {
        Thread.sleep(Math.min(ms, remaining(deadline)));
    }

    /** Collects text frames into messages; answers go to their callers, events to the list. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile Chromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (owner != null) {
                    owner.received(JsonReader.object(text));
                }
            }
            ws.request(1);
            return null;
        }
    }
}
