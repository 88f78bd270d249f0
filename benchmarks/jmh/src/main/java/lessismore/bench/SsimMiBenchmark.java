package lessismore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.MutualInformation;
import lessismore.signature.MutualInformationMethod;
import lessismore.signature.SampledImage;
import lessismore.signature.SsimMethod;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one comparison of {@code --strategy ssim} and {@code --strategy mi} against the cost of
 * reading one slice, measured side by side so their ratio can be stated: {@code readSlice} reads,
 * parses, decodes and maps to 8 bits one uncompressed 512×512 CT DICOM file from the page cache
 * (the slices of chest-phase00 in turn); {@code ssim}, {@code mi} and {@code nmi} compare two
 * neighbouring chest slices' signatures at {@code size} (512 = native, no resize; else the compare
 * size), through the methods' {@code compare} as a reduction calls it; {@code sign} is the once per
 * slice cost of making a signature (LANCZOS resize from 512×512). Times are per operation.
 *
 * <p>Data: ../shared/data/ct/chest-phase00 (or {@code -Dlessismore.ct=DIR} for the CT folder).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SsimMiBenchmark {
    private static final String SERIES = "chest-phase00";

    /** The chest slice files in name order. */
    @State(Scope.Benchmark)
    public static class Slices {
        List<InputFile> files;

        @Setup
        public void load() throws IOException {
            Path dir = Paths.get(System.getProperty("lessismore.ct", "../shared/data/ct")).resolve(SERIES);
            files = new ArrayList<>(InputScanner.scan(dir));
            if (files.isEmpty()) {
                throw new IllegalStateException("no slices under " + dir.toAbsolutePath());
            }
            for (InputFile f : files) {
                Files.readAllBytes(f.path()); // into the page cache
            }
        }
    }

    /** Per-thread decoder and cursor over the files. */
    @State(Scope.Thread)
    public static class Reader {
        final SliceDecoder decoder = new SliceDecoder();
        int next;
    }

    /** Two neighbouring slices as signatures at one size, and the methods that compare them. */
    @State(Scope.Thread)
    public static class Pair {
        /** Side of the compared images; 512 is the slices' native size. */
        @Param({"512", "128"})
        int size;
        byte[] slice;
        byte[] a;
        byte[] b;
        int compareSize;
        SsimMethod ssim;
        MutualInformationMethod mi;
        MutualInformationMethod nmi;

        @Setup
        public void prepare(Slices s) throws SkippedFileException {
            SliceDecoder decoder = new SliceDecoder();
            int middle = s.files.size() / 2;
            compareSize = size == 512 ? 0 : size;
            byte[][] images = new byte[2][];
            for (int i = 0; i < 2; i++) {
                decoder.decodeSlice(s.files.get(middle + i), 0);
                decoder.to8Bit();
                if (decoder.width() != 512 || decoder.height() != 512) {
                    throw new IllegalStateException("expected 512x512 slices in " + SERIES);
                }
                images[i] = Arrays.copyOf(decoder.gray(), 512 * 512);
            }
            slice = images[0];
            a = SampledImage.of(images[0], 512, 512, compareSize);
            b = SampledImage.of(images[1], 512, 512, compareSize);
            ssim = new SsimMethod(compareSize);
            mi = new MutualInformationMethod(MutualInformation.DEFAULT_BINS, false, compareSize);
            nmi = new MutualInformationMethod(MutualInformation.DEFAULT_BINS, true, compareSize);
        }
    }

    /** Read + parse + decode + 8-bit mapping of one 512×512 slice: the unit the pair costs are put against. */
    @Benchmark
    public byte[] readSlice(Slices s, Reader r) throws SkippedFileException {
        r.decoder.decodeSlice(s.files.get(r.next++ % s.files.size()), 0);
        r.decoder.to8Bit();
        return r.decoder.gray();
    }

    /** Mean SSIM of two signatures. */
    @Benchmark
    public double ssim(Pair p) {
        return p.ssim.compare(p.a, p.b);
    }

    /** Mutual information (256 bins) of two signatures. */
    @Benchmark
    public double mi(Pair p) {
        return p.mi.compare(p.a, p.b);
    }

    /** Normalized mutual information (256 bins) of two signatures. */
    @Benchmark
    public double nmi(Pair p) {
        return p.nmi.compare(p.a, p.b);
    }

    /** The signature of one 512×512 slice at {@code size}. */
    @Benchmark
    public byte[] sign(Pair p) {
        return SampledImage.of(p.slice, 512, 512, p.compareSize);
    }
}
