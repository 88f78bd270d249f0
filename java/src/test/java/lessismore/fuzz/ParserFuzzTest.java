package lessismore.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import lessismore.TestData;
import lessismore.io.SkippedFileException;
import lessismore.io.dicom.Codecs;
import lessismore.io.dicom.DicomHeader;
import lessismore.io.dicom.DicomPixels;
import lessismore.io.dicom.DicomReader;
import org.junit.jupiter.api.Test;

/**
 * A structured mutation fuzzer over the DICOM parser and pixel decoders (every codec of
 * {@link Codecs#standard()}), bounded in time (-Dlessismore.fuzz.seconds, default 20) so it runs in
 * CI. Seeds: real slices of ../shared/data/ct, pydicom's shipped test files, and the committed
 * DICOM fixtures.
 * Each mutated input must either decode or end in {@link SkippedFileException}; nothing else may
 * escape, no input may allocate more than {@link #allocationBound} bytes, and none may take more
 * than 2 s (an input still running after 10 s fails the test at once, as an endless loop). A failing input is written to target/fuzz-failures/ and should be committed to
 * src/test/resources/fixtures/fuzz/, whose files are replayed first on every run.
 */
class ParserFuzzTest {
    /**
     * Bytes one input may allocate: 8 times its size (copies, an inflated data set) plus 6 bytes
     * per sample of the largest frame the reader accepts ({@link DicomReader#MAX_FRAME_SAMPLES}: a
     * short and an int per sample) plus 32 MB for codec state.
     */
    static long allocationBound(int inputLength) {
        return 8L * inputLength + 6L * DicomReader.MAX_FRAME_SAMPLES + (32L << 20);
    }

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Path ct = TestData.sharedData().resolve("ct");
        for (String rel : new String[] {"chest-phase00/00-slice050.dcm", "ge-head-tilt/10.dcm",
                "philips-phantom-a/DIRFILE", "philips-phantom-a/I100"}) {
            seeds.add(Files.readAllBytes(ct.resolve(rel)));
        }
        try (Stream<Path> j2k = Files.list(ct.resolve("totalseg-j2k"))) {
            seeds.add(Files.readAllBytes(j2k.sorted().findFirst().orElseThrow()));
        }
        // pydicom's test files (many writers, every compressed syntax), when installed.
        Path pydicom = Paths.get("/usr/lib/python3/dist-packages/pydicom/data/test_files");
        if (Files.isDirectory(pydicom)) {
            try (Stream<Path> s = Files.list(pydicom)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList()) {
                    seeds.add(Files.readAllBytes(p));
                }
            }
        }
        Path fixtures = Paths.get("src/test/resources/fixtures");
        if (Files.isDirectory(fixtures)) {
            try (Stream<Path> s = Files.walk(fixtures)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList()) {
                    seeds.add(Files.readAllBytes(p));
                }
            }
        }
        return seeds;
    }

    /** Decodes like the pipeline does: header, then every frame (bounded to 4). */
    static void decode(byte[] b) throws SkippedFileException {
        DicomHeader h = DicomReader.parse(b, b.length);
        for (int k = 0; k < Math.min(4, h.frameCount()); k++) {
            DicomPixels.decodeSamples(h, k, Codecs.standard());
        }
    }

    /** Runs the decodes on a daemon thread, so that an endless loop fails the test instead of hanging it. */
    static final java.util.concurrent.ExecutorService WORKER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-worker");
        t.setDaemon(true);
        return t;
    });

    /** Outcome of one input on the worker: what escaped (or null) and the bytes it allocated. */
    record Outcome(Throwable escaped, long allocated) {
    }

    static void check(byte[] input, String what) throws IOException {
        long t0 = System.nanoTime();
        java.util.concurrent.Future<Outcome> f = WORKER.submit(() -> {
            long tid = Thread.currentThread().threadId();
            long before = THREADS.getThreadAllocatedBytes(tid);
            Throwable escaped = null;
            try {
                decode(input);
            } catch (SkippedFileException expected) {
                // The one allowed outcome besides success.
            } catch (Throwable t) {
                escaped = t;
            }
            return new Outcome(escaped, THREADS.getThreadAllocatedBytes(tid) - before);
        });
        Outcome o;
        try {
            o = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            save(input, what);
            fail(what + ": no result after 10 s, an endless loop (input saved under target/fuzz-failures)");
            return;
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (o.escaped() != null) {
            save(input, what);
            fail(what + ": " + o.escaped() + " escaped (input saved under target/fuzz-failures)", o.escaped());
        }
        long allocated = o.allocated();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (allocated > allocationBound(input.length) || millis > 2000) {
            save(input, what);
            fail(what + ": allocated " + allocated + " bytes in " + millis + " ms for a " + input.length
                    + "-byte input (bound " + allocationBound(input.length) + " bytes, 2000 ms)");
        }
    }

    static void save(byte[] input, String what) throws IOException {
        Path dir = Files.createDirectories(Paths.get("target/fuzz-failures"));
        Files.write(dir.resolve(what.replaceAll("[^A-Za-z0-9._-]", "_") + ".dcm"), input);
    }

    static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        int ops = 1 + r.nextInt(6);
        for (int i = 0; i < ops && b.length > 8; i++) {
            // Most mutations hit the header, where the structure is; a few hit anywhere.
            int hot = Math.min(b.length, 4096);
            int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(hot);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, 0xFE, 0x01}[r.nextInt(6)];
                case 2 -> {
                    // A length-like 32-bit value.
                    int v = new int[] {-1, Integer.MAX_VALUE, b.length, b.length - at, 0x10000, 7}[r.nextInt(6)];
                    for (int j = 0; j < 4 && at + j < b.length; j++) {
                        b[at + j] = (byte) (v >>> (8 * j));
                    }
                }
                case 3 -> b = java.util.Arrays.copyOf(b, Math.max(1, at));
                case 4 -> {
                    // Delete a chunk.
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
                default -> {
                    // Duplicate a chunk.
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    @Test
    void mutatedFilesEndInDecodeOrTypedSkip() throws IOException {
        Path regressions = Paths.get("src/test/resources/fixtures/fuzz");
        if (Files.isDirectory(regressions)) {
            try (Stream<Path> s = Files.list(regressions)) {
                for (Path p : s.sorted().toList()) {
                    check(Files.readAllBytes(p), "regression " + p.getFileName());
                }
            }
        }
        List<byte[]> seeds = seeds();
        assertTrue(seeds.size() >= 5);
        long budget = (long) (Double.parseDouble(System.getProperty("lessismore.fuzz.seconds", "20")) * 1e9);
        long seed = Long.getLong("lessismore.fuzz.seed", 20261126L);
        SplittableRandom r = new SplittableRandom(seed);
        long t0 = System.nanoTime();
        int runs = 0;
        while (System.nanoTime() - t0 < budget) {
            int s = r.nextInt(seeds.size());
            check(mutate(seeds.get(s), r), "seed" + s + "-run" + runs);
            runs++;
        }
        System.out.println("ParserFuzzTest: " + runs + " mutated inputs in " + (System.nanoTime() - t0) / 1_000_000
                + " ms (seed " + seed + ")");
        assertTrue(runs > 100, "only " + runs + " runs in the budget");
    }
}
