package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Optimizers and the schedule; expected values from torch 1.13 where torch has the optimizer. */
class OptimizerTest {
    private static final float[] W0 = {0.5f, -1f, 2f};
    private static final float[] G1 = {0.1f, -0.2f, 0.3f};
    private static final float[] G2 = {-0.4f, 0.5f, 0.05f};

    private static Parameter parameter(Parameter.Kind kind) {
        Parameter p = new Parameter(kind, 3);
        System.arraycopy(W0, 0, p.value.data, 0, 3);
        return p;
    }

    /** Two steps with gradients G1 then G2. */
    private static float[] twoSteps(Parameter p, Optimizer optimizer) {
        for (float[] g : new float[][] {G1, G2}) {
            System.arraycopy(g, 0, p.grad.data, 0, 3);
            optimizer.step(0.1f);
        }
        return p.value.data;
    }

    @Test
    void sgdMatchesTorch() {
        Parameter p = parameter(Parameter.Kind.WEIGHT);
        // torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01)
        assertArrayEquals(new float[] {0.5195605158805847f, -1.0091209411621094f, 1.9322320222854614f},
                twoSteps(p, new Sgd(List.of(p), 0.9f, 0.01f)), 1e-6f);
    }

    @Test
    void adamWMatchesTorch() {
        Parameter p = parameter(Parameter.Kind.WEIGHT);
        // torch.optim.AdamW(lr=0.1, weight_decay=0.01)
        assertArrayEquals(new float[] {0.45505085587501526f, -0.9423225522041321f, 1.8177692890167236f},
                twoSteps(p, new AdamW(List.of(p), 0.01f)), 1e-6f);
    }

    @Test
    void adamWithL2MatchesTorch() {
        Parameter p = parameter(Parameter.Kind.WEIGHT);
        // torch.optim.Adam(lr=0.1, weight_decay=0.5): a large decay, so the L2 term shows
        assertArrayEquals(new float[] {0.37876325845718384f, -0.8384689688682556f, 1.8015143871307373f},
                twoSteps(p, AdamW.adam(List.of(p), 0.5f)), 1e-6f);
    }

    @Test
    void larsAdaptsWeightsOnly() {
        Parameter w = parameter(Parameter.Kind.WEIGHT);
        Parameter b = parameter(Parameter.Kind.BIAS);
        Lars lars = new Lars(List.of(w, b), 0.9f, 0.01f, 0.001f);
        System.arraycopy(G1, 0, w.grad.data, 0, 3);
        System.arraycopy(G1, 0, b.grad.data, 0, 3);
        lars.step(0.1f);
        // Weight: d = g + wd·w, trust = η‖w‖/‖d‖, w −= lr·trust·d.
        double dn = 0, wn = 0;
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) {
            d[i] = G1[i] + 0.01 * W0[i];
            dn += d[i] * d[i];
            wn += W0[i] * W0[i];
        }
        double trust = 0.001 * Math.sqrt(wn) / Math.sqrt(dn);
        for (int i = 0; i < 3; i++) {
            assertEquals(W0[i] - 0.1 * trust * d[i], w.value.data[i], 1e-7);
            // Bias: no decay, no adaptation: plain momentum SGD's first step.
            assertEquals(W0[i] - 0.1 * G1[i], b.value.data[i], 1e-7);
        }
        // Second step: v = μ·v + lr·d (learning rate inside the momentum), w −= v.
        float before = b.value.data[0];
        lars.step(0.1f);
        assertEquals(before - (0.9 * 0.1 * G1[0] + 0.1 * G1[0]), b.value.data[0], 1e-7);
    }

    @Test
    void warmupThenCosine() {
        LrSchedule s = new LrSchedule(1.0, 4, 14);
        assertEquals(0.25f, s.at(0), 1e-7f);
        assertEquals(1f, s.at(3), 1e-7f);
        assertEquals(1f, s.at(4), 1e-7f);
        assertEquals(0.5f, s.at(9), 1e-6f);
        assertEquals(0f, s.at(14), 1e-7f);
        assertEquals(0f, s.at(100), 1e-7f);
    }
}
