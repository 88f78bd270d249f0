package lessismore.io;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Lists the files under an input root, following symbolic links (a folder of links is a common way
 * to assemble a dataset) but never looping, in a stable order (relative path). Entries that cannot
 * be read at all are listed with their problem rather than dropped, so the manifest accounts for
 * every entry the user gave us.
 */
public final class InputScanner {
    private InputScanner() {
    }

    /** All files under {@code root} (or {@code root} itself when it is a file), sorted by relative path. */
    public static List<InputFile> scan(Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        List<InputFile> files = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            files.add(entry(base, base.getFileName().toString(), null));
            return files;
        }
        Files.walkFileTree(base, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        files.add(entry(file, relative(base, file), attrs));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        String why = e instanceof FileSystemLoopException
                                ? "symbolic link loop" : "cannot read: " + e.getClass().getSimpleName();
                        files.add(new InputFile(file, relative(base, file), -1,
                                new SkippedFileException(SkipReason.UNREADABLE, why)));
                        return FileVisitResult.CONTINUE;
                    }
                });
        files.sort(Comparator.comparing(InputFile::relativePath));
        return files;
    }

    private static InputFile entry(Path file, String rel, BasicFileAttributes attrs) {
        try {
            BasicFileAttributes a = attrs != null ? attrs : Files.readAttributes(file, BasicFileAttributes.class);
            if (a.isSymbolicLink()) {
                // FOLLOW_LINKS reports the link itself only when its target is missing.
                return new InputFile(file, rel, -1,
                        new SkippedFileException(SkipReason.UNREADABLE, "broken symbolic link"));
            }
            if (!a.isRegularFile()) {
                return new InputFile(file, rel, -1, new SkippedFileException(SkipReason.UNREADABLE,
                        "not a regular file (device, pipe or socket)"));
            }
            return new InputFile(file, rel, a.size(), null);
        } catch (IOException e) {
            boolean link = Files.isSymbolicLink(file) && !Files.exists(file);
            return new InputFile(file, rel, -1, new SkippedFileException(SkipReason.UNREADABLE,
                    link ? "broken symbolic link" : "cannot read attributes: " + e.getClass().getSimpleName()));
        }
    }

    private static String relative(Path base, Path file) {
        String rel = base.relativize(file).toString();
        return file.getFileSystem().getSeparator().equals("/") ? rel : rel.replace(file.getFileSystem().getSeparator(), "/");
    }
}
