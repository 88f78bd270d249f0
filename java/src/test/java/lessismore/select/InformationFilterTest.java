package lessismore.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The near-empty slice filter's measures and option syntax. */
class InformationFilterTest {
    @Test
    void entropyOfKnownHistograms() {
        byte[] constant = new byte[1000];
        java.util.Arrays.fill(constant, (byte) 77);
        assertEquals(0.0, InformationFilter.entropyBits(constant, 1000), 0);
        byte[] two = new byte[1000];
        for (int i = 0; i < 500; i++) {
            two[i] = (byte) 200;
        }
        assertEquals(1.0, InformationFilter.entropyBits(two, 1000), 1e-12);
        // Every level equally often: 8 bits.
        byte[] all = new byte[256 * 7];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertEquals(8.0, InformationFilter.entropyBits(all, all.length), 1e-12);
    }

    @Test
    void bodyAreaCountsPixelsFromTheBodyLevel() {
        SplittableRandom r = new SplittableRandom(4);
        byte[] g = new byte[10_000];
        int body = 0;
        for (int i = 0; i < g.length; i++) {
            int v = r.nextInt(256);
            g[i] = (byte) v;
            body += v >= InformationFilter.BODY_LEVEL ? 1 : 0;
        }
        assertEquals((double) body / g.length, InformationFilter.bodyArea(g, g.length), 0);
        assertEquals(body < 0.05 * g.length, InformationFilter.DEFAULT.measure(g, g.length) < 0.05);
    }

    @Test
    void parsesAndRefusesSpecs() {
        assertEquals(new InformationFilter(InformationFilter.Measure.ENTROPY, 1.5), InformationFilter.parse("entropy=1.5"));
        assertEquals(new InformationFilter(InformationFilter.Measure.AREA, 0.1), InformationFilter.parse(" area = 0.1"));
        assertThrows(IllegalArgumentException.class, () -> InformationFilter.parse("area"));
        assertThrows(IllegalArgumentException.class, () -> InformationFilter.parse("volume=3"));
        assertThrows(IllegalArgumentException.class, () -> InformationFilter.parse("area=x"));
        assertThrows(IllegalArgumentException.class, () -> InformationFilter.parse("area=1.5"));
        assertThrows(IllegalArgumentException.class, () -> InformationFilter.parse("entropy=9"));
        assertEquals("low information: area 0.031 < 0.050", InformationFilter.DEFAULT.reason(0.031));
    }
}
