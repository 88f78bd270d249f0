package lessismore.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes a run's outputs atomically: everything goes into a staging folder beside the target
 * ({@code OUT.partial-<pid>}), which is renamed to the target only when complete. A crash leaves
 * the previous output (if any) intact and a staging folder that the next run removes.
 *
 * <p>Overwriting is refused unless asked for, and even then only a folder that is empty or holds a
 * previous lessismore output (a summary.json naming the tool) is replaced, so a typo in
 * {@code --out} can never delete a user's folder.
 */
public final class OutputDirectory {
    /** Marker that summary.json of every run contains. */
    public static final String TOOL_MARKER = "\"tool\": \"lessismore\"";

    private final Path target;
    private final Path staging;

    private OutputDirectory(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /**
     * Checks that {@code target} may be written and creates the staging folder.
     *
     * @throws IllegalArgumentException with a one-line message when the target is not acceptable
     */
    public static OutputDirectory prepare(Path target, boolean overwrite) throws IOException {
        Path t = target.toAbsolutePath().normalize();
        if (Files.exists(t)) {
            if (!Files.isDirectory(t)) {
                throw new IllegalArgumentException("output " + target + " exists and is not a folder");
            }
            if (!isEmpty(t)) {
                if (!overwrite) {
                    throw new IllegalArgumentException("output folder " + target
                            + " already exists; pass --overwrite to replace it");
                }
                if (!isOurs(t)) {
                    throw new IllegalArgumentException("output folder " + target
                            + " is not empty and holds no lessismore output; refusing to replace it");
                }
            }
        }
        Path parent = t.getParent();
        Files.createDirectories(parent);
        String prefix = t.getFileName() + ".partial-";
        // Remove staging folders left by crashed runs of ours.
        try (DirectoryStream<Path> old = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path p : old) {
                deleteTree(p);
            }
        }
        Path staging = parent.resolve(prefix + ProcessHandle.current().pid());
        Files.createDirectories(staging);
        return new OutputDirectory(t, staging);
    }

    /** The final location. */
    public Path target() {
        return target;
    }

    /** Where to write now. */
    public Path staging() {
        return staging;
    }

    /** Writes a UTF-8 text file into the staging folder. */
    public void writeText(String name, String content) throws IOException {
        Files.writeString(staging.resolve(name), content, StandardCharsets.UTF_8);
    }

    /** Moves the staging folder to the target, replacing a previous output. */
    public void commit() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(target.getFileName() + ".old-" + ProcessHandle.current().pid());
            move(target, old);
        }
        move(staging, target);
        if (old != null) {
            deleteTree(old);
        }
    }

    /** Removes the staging folder after a failure. */
    public void abandon() {
        try {
            deleteTree(staging);
        } catch (IOException | UncheckedIOException e) {
            // Best effort: the next run removes leftovers too.
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static boolean isOurs(Path dir) throws IOException {
        Path summary = dir.resolve("summary.json");
        return Files.isRegularFile(summary) && Files.readString(summary).contains(TOOL_MARKER);
    }

    /** Deletes a folder tree without following symbolic links (exports may link to input files). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
