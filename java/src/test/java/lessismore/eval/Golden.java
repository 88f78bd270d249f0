package lessismore.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the "key values..." lines of scripts/golden/make_eval_golden.py's files. */
final class Golden {
    private Golden() {
    }

    /** One line: its key and its whitespace-separated values. */
    record Line(String key, String[] values) {
        double[] doubles() {
            return Arrays.stream(values).mapToDouble(Double::parseDouble).toArray();
        }

        int[] ints() {
            return Arrays.stream(values).mapToInt(Integer::parseInt).toArray();
        }

        double number() {
            return Double.parseDouble(values[0]);
        }
    }

    /** The lines of resource golden/eval/{@code name}, comments left out. */
    static List<Line> read(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/eval/" + name)) {
            List<Line> out = new ArrayList<>();
            for (String s : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (s.isBlank() || s.startsWith("#")) {
                    continue;
                }
                String[] parts = s.trim().split(" ");
                out.add(new Line(parts[0], Arrays.copyOfRange(parts, 1, parts.length)));
            }
            return out;
        }
    }
}
