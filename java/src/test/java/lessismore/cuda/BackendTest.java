package lessismore.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The device choice and library loading, on any machine (the no-GPU answers are checked where there is none). */
class BackendTest {
    @Test
    void cpuIsAlwaysAvailable() {
        try (Backend b = Backend.choose("cpu")) {
            assertInstanceOf(Backend.Cpu.class, b);
            assertEquals("cpu (asked for)", b.describe());
        }
    }

    @Test
    void malformedSpecsAreRefusedWithTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.choose("gpu"));
        assertTrue(e.getMessage().contains("auto, cpu, cuda or cuda:N"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backend.choose("cuda:x"));
    }

    @Test
    void withoutAGpuAutoFallsBackToTheCpuAndSaysWhy() {
        assumeFalse(Cuda.available(), "a GPU answers here");
        String why = Cuda.unavailableReason();
        assertTrue(why != null && !why.isBlank());
        try (Backend b = Backend.choose("auto")) {
            assertInstanceOf(Backend.Cpu.class, b);
            assertTrue(b.describe().startsWith("cpu (no GPU: "), b.describe());
        }
        CudaException e = assertThrows(CudaException.class, () -> Backend.choose("cuda:0"));
        assertEquals("NO_DEVICE", e.errorName());
        assertTrue(e.getMessage().contains("--device cuda:0"), e.getMessage());
    }

    @Test
    void aMissingLibraryNamesWhatWasTriedAndHowToAddAFolder() {
        CudaException e = assertThrows(CudaException.class, () -> NativeLibraries.load(List.of("libnot-a-cuda-lib.so.1")));
        assertEquals("LIBRARY_NOT_FOUND", e.errorName());
        assertEquals("dlopen", e.call());
        assertTrue(e.getMessage().contains("libnot-a-cuda-lib.so.1") && e.getMessage().contains("--cuda-lib-path"), e.getMessage());
    }
}
