package lessismore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import lessismore.output.JsonReader;
import org.junit.jupiter.api.Test;

/** Strategy specs become reduce options; the JSON reader reads what the commands write. */
class StrategySpecTest {
    @Test
    void keysBecomeReduceOptions() {
        StrategySpec s = StrategySpec.parse("hash:t=6,hash-size=16");
        assertEquals("hash", s.strategy());
        assertEquals(List.of("--threshold", "6", "--hash-size", "16"), s.reduceArgs());
        assertEquals("hash_t=6+hash-size=16", s.cellName());
        assertEquals(List.of("--keep-fraction", "0.3"), StrategySpec.parse("hash:keep=0.3").reduceArgs());
        assertEquals(List.of("--n", "3"), StrategySpec.parse("every-n:n=3").reduceArgs());
        assertTrue(StrategySpec.parse("none").isBaseline());
        assertTrue(StrategySpec.parse("all").reduceArgs().isEmpty());
    }

    @Test
    void malformedSpecsAreRefused() {
        for (String bad : List.of("", "hash:", "hash:t", "hash:=3", "none:t=1", "1hash", "hash:t=")) {
            assertThrows(IllegalArgumentException.class, () -> StrategySpec.parse(bad), bad);
        }
    }

    @Test
    void jsonReaderReadsNestedValues() {
        Object doc = JsonReader.parse("{\"a\": {\"b\": [1, -2.5e1, \"x\\\"\\u00e9\"]}, \"c\": null, \"d\": true}");
        assertEquals(List.of(1.0, -25.0, "x\"é"), JsonReader.at(doc, "a", "b"));
        assertEquals(null, JsonReader.at(doc, "c"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) doc).get("d"));
        assertEquals(null, JsonReader.at(doc, "a", "missing", "deeper"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1} x"));
    }
}
