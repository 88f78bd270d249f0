package lessismore.io;

import java.nio.file.Path;

/**
 * One file found under the input root.
 *
 * @param path         absolute path, used to read it
 * @param relativePath path relative to the input root with '/' separators, as written to outputs
 * @param size         size in bytes, or -1 when it could not be determined
 * @param problem      why it cannot be read at all (broken link, not a regular file), or null
 */
public record InputFile(Path path, String relativePath, long size, SkippedFileException problem) {
}
