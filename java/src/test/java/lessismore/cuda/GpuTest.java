package lessismore.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Base of the tests that need a GPU (JUnit tag {@code gpu}, which the device script selects):
 * each test skips on its own where no GPU answers, saying why, so reports count them as skipped;
 * where one does, the class shares one context on device 0, closed after its last test.
 */
@Tag("gpu")
public abstract class GpuTest {
    /** Device 0's context, open while a GPU test runs. */
    protected static CudaContext ctx;

    @BeforeEach
    final void needsGpu() {
        assumeTrue(Cuda.available(), () -> "no GPU: " + Cuda.unavailableReason());
        if (ctx == null) {
            ctx = CudaContext.open(0);
        }
    }

    @AfterAll
    static void closeContext() {
        if (ctx != null) {
            ctx.close();
            ctx = null;
        }
    }
}
