package lessismore.io.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import lessismore.io.images.ImageFolderGrouping.Group;
import org.junit.jupiter.api.Test;

class ImageFolderGroupingTest {
    private static List<String> shuffled(String... paths) {
        List<String> l = new ArrayList<>(List.of(paths));
        Collections.shuffle(l, new Random(3));
        return l;
    }

    @Test
    void oneFolderOneVolumeInNaturalOrder() {
        List<Group> g = ImageFolderGrouping.group(shuffled(
                "ct/a/slice10.png", "ct/a/slice2.png", "ct/a/slice1.png", "ct/b/img_b.png", "ct/b/img_a.png"));
        assertEquals(List.of(
                new Group("ct/a", List.of("ct/a/slice1.png", "ct/a/slice2.png", "ct/a/slice10.png")),
                new Group("ct/b", List.of("ct/b/img_a.png", "ct/b/img_b.png"))), g);
    }

    @Test
    void flatFolderOfPatientCounterNamesSplitsByPatient() {
        List<Group> g = ImageFolderGrouping.group(shuffled(
                "LIDC-IDRI-0002_1.png", "LIDC-IDRI-0001_12.png", "LIDC-IDRI-0001_2.png", "LIDC-IDRI-0001_100.png",
                "LIDC-IDRI-0002_0.png", "LIDC-IDRI-0010_5.png"));
        assertEquals(List.of(
                new Group("LIDC-IDRI-0001_*", List.of("LIDC-IDRI-0001_2.png", "LIDC-IDRI-0001_12.png",
                        "LIDC-IDRI-0001_100.png")),
                new Group("LIDC-IDRI-0002_*", List.of("LIDC-IDRI-0002_0.png", "LIDC-IDRI-0002_1.png")),
                new Group("LIDC-IDRI-0010_*", List.of("LIDC-IDRI-0010_5.png"))), g);
        // In a sub-folder the key keeps the folder; prefixes may hold underscores.
        List<Group> sub = ImageFolderGrouping.group(List.of("out/p_x_3.png", "out/p_x_1.png", "out/q_1.png"));
        assertEquals(List.of(new Group("out/p_x_*", List.of("out/p_x_1.png", "out/p_x_3.png")),
                new Group("out/q_*", List.of("out/q_1.png"))), sub);
    }

    @Test
    void mixedOrSinglePrefixFoldersStayWhole() {
        // One file without a counter: the folder is one volume, natural order.
        List<Group> mixed = ImageFolderGrouping.group(List.of("d/a_2.png", "d/b_1.png", "d/cover.png"));
        assertEquals(List.of(new Group("d", List.of("d/a_2.png", "d/b_1.png", "d/cover.png"))), mixed);
        // A single prefix: keyed by the folder, ordered by the counter value.
        List<Group> single = ImageFolderGrouping.group(List.of("s/x_010.png", "s/x_9.png", "s/x_0100.png"));
        assertEquals(List.of(new Group("s", List.of("s/x_9.png", "s/x_010.png", "s/x_0100.png"))), single);
        // Large counters do not overflow.
        List<Group> huge = ImageFolderGrouping.group(List.of("h/a_123456789012345678901.png", "h/a_99.png",
                "h/b_1.png"));
        assertEquals("h/a_*", huge.get(0).volumeKey());
        assertEquals(List.of("h/a_99.png", "h/a_123456789012345678901.png"), huge.get(0).paths());
    }

    @Test
    void naturalOrder() {
        List<String> l = new ArrayList<>(List.of("a10", "a2", "a01", "a1", "b", "a", "A", "a1b", "1", "10", "9x"));
        l.sort(ImageFolderGrouping.NATURAL_ORDER);
        assertEquals(List.of("1", "9x", "10", "A", "a", "a1", "a01", "a1b", "a2", "a10", "b"), l);
        assertEquals(0, ImageFolderGrouping.naturalCompare("x", "x"));
        assertTrue(ImageFolderGrouping.naturalCompare("slice2.png", "slice10.png") < 0);
        assertTrue(ImageFolderGrouping.naturalCompare("slice10.png", "slice2.png") > 0);
    }

    @Test
    void everyPathExactlyOnce() {
        Random rnd = new Random(11);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String folder = switch (rnd.nextInt(3)) {
                case 0 -> "";
                case 1 -> "f" + rnd.nextInt(3) + "/";
                default -> "g/h" + rnd.nextInt(2) + "/";
            };
            String name = rnd.nextBoolean() ? "p" + rnd.nextInt(4) + "_" + rnd.nextInt(50) + ".png" : "s" + rnd.nextInt(80) + ".png";
            paths.add(folder + name);
        }
        List<String> all = new ArrayList<>();
        for (Group g : ImageFolderGrouping.group(paths)) {
            all.addAll(g.paths());
        }
        List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(paths));
        Collections.sort(all);
        Collections.sort(distinct);
        assertEquals(distinct, all);
    }
}
