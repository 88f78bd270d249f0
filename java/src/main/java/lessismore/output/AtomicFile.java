package lessismore.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a file so that readers see either the old or the complete new content: the content goes
 * to a hidden temporary sibling ({@code .<name>.<pid>-<n>.tmp}, unique per process and call, so
 * threads writing side by side never share one), which is then renamed over the target. Missing
 * parent folders are created. A crash leaves at most such a temp file behind, never a truncated
 * file under the final name.
 */
public final class AtomicFile {
    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFile() {
    }

    /** Something that writes a whole file at the path it is given. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the complete content to {@code file} (a new, empty temp path). */
        void write(Path file) throws IOException;
    }

    /** Writes {@code target} through {@code writer} atomically. */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "." + ProcessHandle.current().pid()
                + "-" + COUNTER.incrementAndGet() + ".tmp");
        try {
            writer.write(tmp);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Some file systems (certain network mounts) cannot rename atomically; a plain
                // replacing move still never exposes a partially written file under the final name.
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, f -> Files.write(f, bytes));
    }

    /** Writes UTF-8 {@code text} to {@code target} atomically. */
    public static void writeText(Path target, String text) throws IOException {
        write(target, f -> Files.writeString(f, text, StandardCharsets.UTF_8));
    }
}
