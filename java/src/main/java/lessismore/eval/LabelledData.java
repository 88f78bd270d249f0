package lessismore.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import lessismore.train.Dataset;

/**
 * A labelled 2D image dataset: the images (read by {@link Dataset}: grey, Pillow-exact LANCZOS to
 * a square side, pixels in [0, 1]), a class per image, and optionally a group (patient) and a
 * given split per image.
 *
 * <p>Two layouts: a folder with one subfolder per class (class = first path component, classes
 * sorted by name as torchvision's {@code ImageFolder} does), or a CSV file with a header naming
 * the columns {@code path,label} and optionally {@code group} and {@code split}
 * ({@code train}, {@code val} or {@code test}), plain comma-separated values without quoting;
 * its paths are relative to the CSV's folder, which
 * is read whole (files the CSV does not list are ignored). A multi-frame file gives one image per
 * frame, all with the row's label.
 *
 * @param images  the pixels, in the order of {@code labels}
 * @param indices for each sample, its image in {@code images}
 * @param labels  class of each sample, 0..K−1
 * @param classes class names, index = label
 * @param groups  group of each sample, or null when the data has no group information
 * @param splits  given split of each sample ({@link Splits#TRAIN} …), or null when not given
 * @param source  where the data came from, for eval.json
 */
public record LabelledData(Dataset images, int[] indices, int[] labels, List<String> classes, String[] groups,
                           int[] splits, Map<String, Object> source) {

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Pixels of sample {@code i}, (side, side) row-major. */
    public float[] pixels(int i) {
        return images.image(indices[i]);
    }

    /** Name of sample {@code i} (its path, #frame for a multi-frame file). */
    public String name(int i) {
        return images.name(indices[i]);
    }

    /**
     * Reads a class-folder tree or a labels CSV at {@code side} × {@code side}.
     *
     * @throws IllegalArgumentException when the layout is not understood or fewer than 2 classes are found
     */
    public static LabelledData load(Path data, int side, int threads) throws IOException {
        if (Files.isRegularFile(data)) {
            return fromCsv(data, side, threads);
        }
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException(data + " is neither a folder of class subfolders nor a CSV file");
        }
        Dataset images = Dataset.load(data, side, threads);
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < images.size(); i++) {
            int slash = images.name(i).indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException(data + ": " + images.name(i)
                        + " is not in a class subfolder; put each class's images in a subfolder named after it");
            }
            names.add(images.name(i).substring(0, slash));
        }
        List<String> classes = List.copyOf(names);
        int[] labels = new int[images.size()];
        int[] indices = new int[images.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = classes.indexOf(images.name(i).substring(0, images.name(i).indexOf('/')));
            indices[i] = i;
        }
        Map<String, Object> source = images.description();
        source.put("layout", "class subfolders");
        return checked(new LabelledData(images, indices, labels, classes, null, null, source));
    }

    private static LabelledData fromCsv(Path csv, int side, int threads) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + " is empty");
        }
        List<String> header = List.of(lines.getFirst().trim().split("\\s*,\\s*"));
        int path = header.indexOf("path");
        int label = header.indexOf("label");
        int group = header.indexOf("group");
        int split = header.indexOf("split");
        if (path < 0 || label < 0) {
            throw new IllegalArgumentException(csv + ": the header must name the columns path and label"
                    + " (and optionally group, split); found " + header);
        }
        Path root = csv.toAbsolutePath().getParent();
        Dataset images = Dataset.load(root, side, threads);
        Map<String, List<Integer>> byFile = new HashMap<>();   // CSV path -> its images (frames)
        for (int i = 0; i < images.size(); i++) {
            String name = images.name(i);
            int hash = name.lastIndexOf('#');
            byFile.computeIfAbsent(hash < 0 ? name : name.substring(0, hash), k -> new ArrayList<>()).add(i);
        }
        List<String[]> rows = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (int r = 1; r < lines.size(); r++) {
            if (lines.get(r).isBlank()) {
                continue;
            }
            String[] row = lines.get(r).split("\\s*,\\s*", -1);
            if (row.length != header.size()) {
                throw new IllegalArgumentException(csv + " line " + (r + 1) + ": " + row.length
                        + " fields, the header has " + header.size());
            }
            if (!byFile.containsKey(row[path].trim())) {
                throw new IllegalArgumentException(csv + " line " + (r + 1) + ": no readable image " + row[path]
                        + " under " + root);
            }
            rows.add(row);
            names.add(row[label].trim());
        }
        List<String> classes = List.copyOf(names);
        List<Integer> indices = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<Integer> splits = new ArrayList<>();
        for (String[] row : rows) {
            for (int image : byFile.get(row[path].trim())) {
                indices.add(image);
                labels.add(classes.indexOf(row[label].trim()));
                groups.add(group < 0 ? null : row[group].trim());
                splits.add(split < 0 ? -1 : Splits.parse(row[split].trim(), csv));
            }
        }
        Map<String, Object> source = images.description();
        source.put("layout", "labels CSV " + csv.toAbsolutePath().normalize());
        source.put("images", indices.size());
        return checked(new LabelledData(images, indices.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(), classes,
                group < 0 ? null : groups.toArray(String[]::new),
                split < 0 ? null : splits.stream().mapToInt(Integer::intValue).toArray(), source));
    }

    private static LabelledData checked(LabelledData d) {
        if (d.classes().size() < 2) {
            throw new IllegalArgumentException("need at least 2 classes, found " + d.classes());
        }
        return d;
    }
}
