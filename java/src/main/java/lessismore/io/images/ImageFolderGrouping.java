package lessismore.io.images;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How folders of 2D slice images form volumes — a pure function of the relative paths.
 *
 * <p><b>Default:</b> all files of one folder are one volume, ordered by {@link #NATURAL_ORDER} of
 * their file names ({@code slice2.png} before {@code slice10.png}). Its key is the folder's relative
 * path ({@code ""} for the top folder).
 *
 * <p><b>Flat patient folders:</b> when <em>every</em> file of a folder is named
 * {@code <patient>_<counter>.<ext>} (counter: decimal digits; the prefix is everything before the
 * last {@code _}), as the published scripts wrote them (e.g. {@code LIDC-IDRI-0001_12.png}), and
 * the folder holds at least two distinct prefixes, each prefix is one volume, ordered by the
 * numeric value of the counter (ties, e.g. {@code _07} and {@code _7}, by natural order, then by
 * plain string order). Its key is {@code <folder>/<patient>_*} (or {@code <patient>_*} in the top
 * folder). A folder where all names share one prefix stays one volume keyed by the folder, ordered
 * by counter.
 *
 * <p>Paths use {@code /} as separator. Groups are returned sorted by key in natural order; every
 * input path appears in exactly one group (duplicates are dropped). Callers pass image files only
 * (see {@link ImageSliceReader#hasImageExtension}); any other file would join its folder's group
 * and could stop the prefix rule from applying.
 */
public final class ImageFolderGrouping {
    private static final Pattern COUNTED = Pattern.compile("(.+)_([0-9]+)\\.[^./]+");

    /** Natural order: runs of ASCII digits compare as numbers, everything else by code point. */
    public static final Comparator<String> NATURAL_ORDER = ImageFolderGrouping::naturalCompare;

    private ImageFolderGrouping() {
    }

    /**
     * One volume.
     *
     * @param volumeKey the folder, or {@code folder/patient_*} for flat patient folders
     * @param paths     the relative paths of its slices, in slice order
     */
    public record Group(String volumeKey, List<String> paths) {
        public Group {
            paths = List.copyOf(paths);
        }
    }

    /** Groups {@code relativePaths} into volumes; see the class comment. */
    public static List<Group> group(List<String> relativePaths) {
        Map<String, List<String>> byFolder = new TreeMap<>();
        for (String p : new LinkedHashSet<>(relativePaths)) {
            int slash = p.lastIndexOf('/');
            String folder = slash < 0 ? "" : p.substring(0, slash);
            byFolder.computeIfAbsent(folder, f -> new ArrayList<>()).add(p);
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byFolder.entrySet()) {
            String folder = e.getKey();
            List<String> files = e.getValue();
            Map<String, List<String>> byPrefix = new TreeMap<>(NATURAL_ORDER);
            boolean allCounted = true;
            for (String p : files) {
                Matcher m = COUNTED.matcher(fileName(p));
                if (!m.matches()) {
                    allCounted = false;
                    break;
                }
                byPrefix.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(p);
            }
            if (allCounted) {
                Comparator<String> byCounter = Comparator.comparing(ImageFolderGrouping::counter,
                        ImageFolderGrouping::compareDigits)
                        .thenComparing(ImageFolderGrouping::fileName, NATURAL_ORDER)
                        .thenComparing(Comparator.naturalOrder());
                if (byPrefix.size() >= 2) {
                    for (Map.Entry<String, List<String>> pe : byPrefix.entrySet()) {
                        List<String> paths = new ArrayList<>(pe.getValue());
                        paths.sort(byCounter);
                        String key = (folder.isEmpty() ? "" : folder + "/") + pe.getKey() + "_*";
                        out.add(new Group(key, paths));
                    }
                } else {
                    List<String> paths = new ArrayList<>(files);
                    paths.sort(byCounter);
                    out.add(new Group(folder, paths));
                }
            } else {
                List<String> paths = new ArrayList<>(files);
                paths.sort(Comparator.comparing(ImageFolderGrouping::fileName, NATURAL_ORDER)
                        .thenComparing(Comparator.naturalOrder()));
                out.add(new Group(folder, paths));
            }
        }
        out.sort(Comparator.comparing(Group::volumeKey, NATURAL_ORDER).thenComparing(Group::volumeKey));
        return out;
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String counter(String path) {
        Matcher m = COUNTED.matcher(fileName(path));
        if (!m.matches()) {
            throw new IllegalStateException(path);
        }
        return m.group(2);
    }

    /** Compares two non-empty digit strings by numeric value (any length). */
    private static int compareDigits(String a, String b) {
        return compareDigitRuns(a, 0, a.length(), b, 0, b.length());
    }

    private static int compareDigitRuns(String a, int as, int ae, String b, int bs, int be) {
        while (as < ae - 1 && a.charAt(as) == '0') {
            as++;
        }
        while (bs < be - 1 && b.charAt(bs) == '0') {
            bs++;
        }
        int c = Integer.compare(ae - as, be - bs);
        if (c != 0) {
            return c;
        }
        for (int i = 0; i < ae - as; i++) {
            c = Character.compare(a.charAt(as + i), b.charAt(bs + i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Natural comparison: the strings are split into runs of ASCII digits and runs of other
     * characters; digit runs compare by numeric value (leading zeros ignored), other runs
     * character by character; a digit run sorts before a non-digit run. Strings equal under
     * this rule (e.g. {@code a01} and {@code a1}) are then ordered by fewer leading zeros first,
     * then by {@link String#compareTo}, so the order is total and consistent with equals.
     */
    public static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ie = i;
                while (ie < a.length() && isDigit(a.charAt(ie))) {
                    ie++;
                }
                int je = j;
                while (je < b.length() && isDigit(b.charAt(je))) {
                    je++;
                }
                int c = compareDigitRuns(a, i, ie, b, j, je);
                if (c != 0) {
                    return c;
                }
                i = ie;
                j = je;
            } else if (isDigit(ca) != isDigit(cb)) {
                return isDigit(ca) ? -1 : 1;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.length(), b.length());
        return c != 0 ? c : a.compareTo(b);
    }
}
