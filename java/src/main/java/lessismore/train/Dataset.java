package lessismore.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkippedFileException;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.PilLanczos;

/**
 * The training images, held in memory as grey float pixels in [0, 1] at a square working size
 * (Pillow-exact LANCZOS resize; a non-square slice is stretched, CT slices are square).
 *
 * <p>Two sources are understood: the output folder of {@code reduce} (its manifest's kept slices,
 * read from the exported PNGs under {@code images/} when present, else decoded from the input
 * files, whose paths are resolved against {@code summary.json}'s {@code input}), and any other
 * folder, whose files are decoded as {@code reduce} would read them (images, DICOM, NIfTI; files
 * that cannot be read are left out and counted).
 */
public final class Dataset {
    /**
     * Something to read: one slice of a file (a manifest row: {@code frame} ≥ 0) or every slice of
     * a file (a folder entry: {@code frame} −1); {@code name} is how outputs refer to it.
     */
    private record Source(InputFile file, int frame, String name) {
    }

    /** A decoded image and its name. */
    private record Image(String name, float[] pixels) {
    }

    private final List<String> names;
    private final List<float[]> pixels;
    private final int side;
    private final Map<String, Object> description;

    private Dataset(List<String> names, List<float[]> pixels, int side, Map<String, Object> description) {
        this.names = List.copyOf(names);
        this.pixels = List.copyOf(pixels);
        this.side = side;
        this.description = description;
    }

    /**
     * Reads every usable slice under {@code root} at {@code side} × {@code side} with {@code threads}
     * decoding threads.
     *
     * @throws IllegalArgumentException when {@code root} is neither a reduce output nor a folder
     */
    public static Dataset load(Path root, int side, int threads) throws IOException {
        if (side < 1) {
            throw new IllegalArgumentException("working size must be positive, got " + side);
        }
        Path manifest = root.resolve("manifest.csv");
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("path", root.toAbsolutePath().normalize().toString());
        List<Source> sources;
        if (Files.isRegularFile(manifest)) {
            description.put("kind", "reduce manifest (kept slices)");
            sources = manifestSources(root, manifest, description);
        } else if (Files.isDirectory(root)) {
            description.put("kind", "folder");
            sources = folderSources(root);
        } else {
            throw new IllegalArgumentException(root + " is not a folder");
        }
        List<float[]> pixels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int skipped = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<List<Image>>> done = new ArrayList<>();
            for (Source s : sources) {
                done.add(pool.submit(() -> read(s, side)));
            }
            for (Future<List<Image>> f : done) {
                List<Image> images = f.get();
                if (images.isEmpty()) {
                    skipped++;
                }
                for (Image im : images) {
                    pixels.add(im.pixels());
                    names.add(im.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + root, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot read " + root + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        description.put("images", pixels.size());
        description.put("unreadable", skipped);
        description.put("working_size", side);
        return new Dataset(names, pixels, side, description);
    }

    /** Number of images. */
    public int size() {
        return pixels.size();
    }

    /** Side of the square working images. */
    public int side() {
        return side;
    }

    /** Pixels of image {@code i}, (side, side) row-major in [0, 1]; shared, do not modify. */
    public float[] image(int i) {
        return pixels.get(i);
    }

    /** Name of image {@code i} in outputs: its manifest path (with #frame for multi-frame files) or relative path. */
    public String name(int i) {
        return names.get(i);
    }

    /** Where the images came from, for checkpoint sidecars and reports. */
    public Map<String, Object> description() {
        return new LinkedHashMap<>(description);
    }

    /** The images of a source; none when it cannot be read (not an image, a damaged file). */
    private static List<Image> read(Source s, int side) throws IOException {
        SliceDecoder decoder = new SliceDecoder();
        List<Image> images = new ArrayList<>();
        try {
            if (s.frame() >= 0) {
                decoder.decodeSlice(s.file(), s.frame());
                images.add(new Image(s.name(), resized(decoder, side)));
            } else {
                decoder.forEachSlice(s.file(), new SliceDecoder.Visitor() {
                    @Override
                    public void slice(SliceDecoder.Slice slice) {
                        String name = slice.frames() > 1 ? s.name() + "#" + slice.frame() : s.name();
                        images.add(new Image(name, resized(decoder, side)));
                    }

                    @Override
                    public void skipped(int frame, SkippedFileException e) {
                        // A damaged frame of a multi-frame file: the others are still used.
                    }
                });
            }
        } catch (SkippedFileException | RuntimeException e) {
            return List.of();
        }
        return images;
    }

    /** The decoder's current slice in 8 bits, resized to side × side and scaled to [0, 1]. */
    private static float[] resized(SliceDecoder decoder, int side) {
        decoder.to8Bit();
        int[] resized = PilLanczos.resize(decoder.gray(), decoder.width(), decoder.height(), side, side);
        float[] out = new float[side * side];
        for (int i = 0; i < out.length; i++) {
            out[i] = resized[i] / 255f;
        }
        return out;
    }

    private static List<Source> folderSources(Path root) throws IOException {
        List<Source> sources = new ArrayList<>();
        for (InputFile f : InputScanner.scan(root)) {
            sources.add(new Source(f, -1, f.relativePath()));
        }
        return sources;
    }

    /** Kept rows of a reduce manifest, read from the PNG export when there is one. */
    private static List<Source> manifestSources(Path root, Path manifest, Map<String, Object> description)
            throws IOException {
        List<String> lines = Files.readAllLines(manifest);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(manifest + " is empty");
        }
        List<String> header = Csv.parse(lines.getFirst());
        int path = column(header, "path", manifest);
        int frame = column(header, "frame", manifest);
        int volume = column(header, "volume", manifest);
        int slice = column(header, "slice_index", manifest);
        int decision = column(header, "decision", manifest);
        Path input = inputRoot(root);
        List<Source> sources = new ArrayList<>();
        int fromPng = 0;
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> row = Csv.parse(line);
            if (!"kept".equals(row.get(decision))) {
                continue;
            }
            int k = row.get(frame).isEmpty() ? 0 : Integer.parseInt(row.get(frame));
            String name = row.get(frame).isEmpty() ? row.get(path) : row.get(path) + "#" + k;
            Path png = root.resolve("images").resolve(row.get(volume))
                    .resolve(String.format("%04d.png", Integer.parseInt(row.get(slice))));
            if (Files.isRegularFile(png)) {
                sources.add(new Source(new InputFile(png, name, Files.size(png), null), 0, name));
                fromPng++;
            } else if (input != null) {
                Path file = Files.isDirectory(input) ? input.resolve(row.get(path)) : input;
                sources.add(new Source(new InputFile(file, name, -1, null), k, name));
            } else {
                throw new IllegalArgumentException(root + ": no PNG export and no input in summary.json");
            }
        }
        description.put("read_from", fromPng == sources.size() ? "exported PNG" : "input files");
        return sources;
    }

    private static int column(List<String> header, String name, Path manifest) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(manifest + " has no column " + name);
        }
        return i;
    }

    private static final Pattern INPUT = Pattern.compile("\"input\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The input root named by summary.json, or null without one (only the PNG export can be read then). */
    private static Path inputRoot(Path root) throws IOException {
        Path summary = root.resolve("summary.json");
        if (!Files.isRegularFile(summary)) {
            return null;
        }
        Matcher m = INPUT.matcher(Files.readString(summary));
        return m.find() ? Path.of(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\")) : null;
    }

    /** Just enough CSV for our own manifest: commas, and quoted fields with doubled quotes. */
    static final class Csv {
        private Csv() {
        }

        static List<String> parse(String line) {
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        f.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(f.toString());
                    f.setLength(0);
                } else {
                    f.append(c);
                }
            }
            fields.add(f.toString());
            return fields;
        }
    }
}
