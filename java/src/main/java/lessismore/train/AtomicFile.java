package lessismore.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old or the complete new content: the content goes
 * to a temporary sibling, which is then renamed over the target. A crash leaves at most a
 * {@code .tmp-<pid>} file behind, never a truncated checkpoint.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Something that writes a whole file at the path it is given. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    /** Writes {@code target} through {@code writer} atomically. */
    static void write(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            writer.write(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes UTF-8 {@code text} to {@code target} atomically. */
    public static void writeText(Path target, String text) throws IOException {
        write(target, f -> Files.writeString(f, text, StandardCharsets.UTF_8));
    }
}
