package lessismore.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html of a realistic run in headless Chromium: it must render (its script sets
 * the marker after load), log no errors, throw nothing, and load nothing but the file itself and
 * its data: images. The screenshot goes to target/report-screenshot.png, which CI keeps.
 * Skipped where Chromium is missing, except on CI (environment variable CI), which installs it.
 */
class ReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");
    /** The page is long; this shows header, totals, table, charts and the first pairs. */
    private static final int SCREENSHOT_MAX_HEIGHT = 4000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void reportRendersWithoutErrors() throws IOException, InterruptedException {
        if (!Files.isExecutable(CHROMIUM)) {
            if (System.getenv("CI") != null) {
                fail(CHROMIUM + " is missing; CI must install chromium");
            }
            assumeTrue(false, CHROMIUM + " is missing");
        }
        ReportModel m = ReportFixture.realistic(11);
        Path out = Files.createDirectory(dir.resolve("out"));
        Report.write(m, out);
        // The other kind of page: no measure (every-n) and thumbnails cut off by the cap.
        ReportModel plain = ReportFixture.capped(ReportFixture.everyN(12), 100);
        Path plainOut = Files.createDirectory(dir.resolve("plain"));
        Report.write(plain, plainOut);
        long t0 = System.nanoTime();
        try (Chromium c = Chromium.start(CHROMIUM, Files.createDirectory(dir.resolve("profile")),
                Instant.now().plus(Duration.ofSeconds(60)))) {
            c.call("Runtime.enable", Map.of());
            c.call("Log.enable", Map.of());
            c.call("Network.enable", Map.of());
            c.call("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 1280, "height", 900, "deviceScaleFactor", 1, "mobile", false));

            open(c, plainOut);
            assertEquals(100.0, c.evaluate("document.images.length"));
            assertEquals(0.0, c.evaluate("document.querySelectorAll('svg').length"));

            open(c, out);
            int slices = m.volumes().stream().mapToInt(v -> v.slices().size()).sum();
            assertEquals(slices + 2.0 * DropSample.MAX_PAIRS, c.evaluate("document.images.length"));
            assertEquals(Boolean.TRUE, c.evaluate(
                    "Array.from(document.images).every(i => i.complete && i.naturalWidth === 48)"),
                    "every thumbnail decodes");
            assertEquals(2.0, c.evaluate("document.querySelectorAll('svg.chart').length"), "histogram and search");
            Map<String, Object> size = c.call("Page.getLayoutMetrics", Map.of());
            double height = ((Number) ((Map<?, ?>) size.get("cssContentSize")).get("height")).doubleValue();
            Map<String, Object> shot = c.call("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", 1280,
                            "height", Math.min(height, SCREENSHOT_MAX_HEIGHT), "scale", 1)));
            Files.createDirectories(SCREENSHOT.getParent());
            Files.write(SCREENSHOT, Base64.getDecoder().decode((String) shot.get("data")));

            assertEquals(List.of(), problems(c.events()));
        }
        System.out.printf("browser check: %.1f s, screenshot %s%n", (System.nanoTime() - t0) / 1e9,
                SCREENSHOT.toAbsolutePath());
        assertTrue(Files.size(SCREENSHOT) > 10_000, "screenshot written");
    }

    /** Loads the report in {@code dir} and waits until its script has marked it rendered. */
    private static void open(Chromium c, Path dir) throws IOException, InterruptedException {
        String url = dir.resolve(Report.HTML).toUri().toString();
        c.call("Page.navigate", Map.of("url", url));
        // The marker of the previous page must not count: it has to be the new document's.
        c.waitFor("location.href === " + quoted(url)
                + " && document.body != null && document.body.dataset.rendered === 'true'");
        assertEquals(Boolean.TRUE, c.evaluate("document.documentElement.scrollWidth <= 1280"),
                "no horizontal overflow at 1280 px");
    }

    /** {@code s} as a JavaScript string literal. */
    private static String quoted(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Console errors, uncaught exceptions, error log entries, and requests leaving the file. */
    private static List<String> problems(List<Map<String, Object>> events) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> e : events) {
            Map<?, ?> p = (Map<?, ?>) e.get("params");
            switch ((String) e.get("method")) {
                case "Runtime.consoleAPICalled" -> {
                    if ("error".equals(p.get("type")) || "assert".equals(p.get("type"))) {
                        out.add("console: " + p.get("args"));
                    }
                }
                case "Runtime.exceptionThrown" -> out.add("exception: " + p.get("exceptionDetails"));
                case "Log.entryAdded" -> {
                    Map<?, ?> entry = (Map<?, ?>) p.get("entry");
                    if ("error".equals(entry.get("level"))) {
                        out.add("log: " + entry.get("text") + " " + entry.get("url"));
                    }
                }
                case "Network.requestWillBeSent" -> {
                    String url = (String) ((Map<?, ?>) p.get("request")).get("url");
                    if (!url.startsWith("file:") && !url.startsWith("data:")) {
                        out.add("request: " + url);
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }
}
