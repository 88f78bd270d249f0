package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Loss values against torch 1.13 (the gradients are checked in {@link GradientCheckTest}). */
class LossTest {
    @Test
    void crossEntropyMatchesTorch() {
        Tensor logits = new Tensor(new float[] {1f, 2f, 0.5f, 0.1f, -1f, 3f}, 2, 3);
        assertEquals(1.7175716161727905f, new CrossEntropyLoss().forward(logits, new int[] {1, 0}), 1e-6f);
    }

    @Test
    void ntXentMatchesTorch() {
        // Rows 0 and 2, 1 and 3 are the positive pairs; z is not normalised on purpose.
        Tensor z = new Tensor(new float[] {1f, 0f, 0.6f, 0.8f, 0.8f, 0.6f, 0f, -1f}, 4, 2);
        Tensor scaled = new Tensor(new float[] {3f, 0f, 1.2f, 1.6f, 0.4f, 0.3f, 0f, -7f}, 4, 2);
        assertEquals(1.865526556968689f, new NtXentLoss(0.5f).forward(z), 1e-6f);
        assertEquals(1.865526556968689f, new NtXentLoss().forward(scaled), 1e-6f);
    }
}
