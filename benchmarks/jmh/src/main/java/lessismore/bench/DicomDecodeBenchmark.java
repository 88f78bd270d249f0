package lessismore.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import lessismore.io.SkippedFileException;
import lessismore.io.dicom.Codecs;
import lessismore.io.dicom.DicomHeader;
import lessismore.io.dicom.DicomPixels;
import lessismore.io.dicom.DicomReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per transfer syntax, on one 512×512 CT slice in the page cache (benchmarks/decode-throughput.sh
 * makes the variants with dcmtk and passes them as {@code -p file=...}): the plain file read (the
 * ceiling), header parsing from memory, and read + parse + pixel decode. Scores are operations per
 * second; the script turns them into files/s and MB/s of decoded pixels.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class DicomDecodeBenchmark {
    /** The DICOM file to read. */
    @Param({"../shared/data/ct/chest-phase00/00-slice050.dcm"})
    public String file;

    private Path path;
    private byte[] bytes;
    private int length;
    private short[] pixels;
    private final Codecs codecs = Codecs.standard();

    @Setup
    public void setUp() throws IOException, SkippedFileException {
        path = Paths.get(file);
        bytes = new byte[(int) java.nio.file.Files.size(path)];
        length = read();
        DicomHeader h = DicomReader.parse(bytes, length);
        pixels = new short[h.rows() * h.columns()];
    }

    private int read() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // Fill the buffer.
            }
            return b.position();
        }
    }

    /** The ceiling: read the file's bytes from the page cache. */
    @Benchmark
    public int readFile() throws IOException {
        return read();
    }

    /** Parse the header of bytes already in memory. */
    @Benchmark
    public Object parseHeader() throws SkippedFileException {
        return DicomReader.parse(bytes, length);
    }

    /** Read, parse and decode the pixel data to stored values. */
    @Benchmark
    public short[] readParseDecode() throws IOException, SkippedFileException {
        int n = read();
        DicomHeader h = DicomReader.parse(bytes, n);
        DicomPixels.decodeFrame(h, 0, pixels, codecs);
        return pixels;
    }
}
