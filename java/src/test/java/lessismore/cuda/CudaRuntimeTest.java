package lessismore.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The driver bindings on a real GPU: memory, copies, streams, events, module loading, launches
 * with every argument kind, error reporting, and no leaks over 10,000 launches. Skips (saying why)
 * where no GPU answers.
 */
class CudaRuntimeTest extends GpuTest {



    @Test
    void deviceIsDescribed() {
        CudaDevice d = ctx.device();
        assertTrue(d.major() >= 8, d.describe());
        assertTrue(d.totalMemory() > 1L << 30 && d.multiprocessors() > 0, d.describe());
        assertTrue(Cuda.driverVersion() >= 12000, "driver " + Cuda.driverVersion());
    }

    @Test
    void everyElementTypeRoundTrips() {
        Random r = new Random(1);
        int n = 1000 + r.nextInt(100);
        float[] f = new float[n];
        int[] i = new int[n];
        long[] l = new long[n];
        short[] s = new short[n];
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            f[k] = (float) r.nextGaussian();
            i[k] = r.nextInt();
            l[k] = r.nextLong();
            s[k] = (short) r.nextInt();
            b[k] = (byte) r.nextInt();
        }
        try (DeviceBuffer buf = ctx.allocate(8L * n)) {
            buf.upload(f);
            float[] f2 = new float[n];
            buf.download(f2);
            assertArrayEquals(f, f2);
            buf.upload(i);
            int[] i2 = new int[n];
            buf.download(i2);
            assertArrayEquals(i, i2);
            buf.upload(l);
            long[] l2 = new long[n];
            buf.download(l2);
            assertArrayEquals(l, l2);
            buf.upload(s);
            short[] s2 = new short[n];
            buf.download(s2);
            assertArrayEquals(s, s2);
            buf.upload(b);
            byte[] b2 = new byte[n];
            buf.download(b2);
            assertArrayEquals(b, b2);
            buf.clear();
            buf.download(l2);
            assertArrayEquals(new long[n], l2);
            assertThrows(IndexOutOfBoundsException.class, () -> buf.upload(new long[n + 1]));
        }
    }

    @Test
    void kernelGetsEveryArgumentKind() {
        Random r = new Random(2);
        int n = 100_003;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int k = 0; k < n; k++) {
            x[k] = (float) r.nextGaussian();
            y[k] = (float) r.nextGaussian();
        }
        float a = 1.7f;
        int bias = -3;
        float[] want = new float[n];
        for (int k = 0; k < n; k++) {
            want[k] = a * x[k] + y[k] + bias;
        }
        CudaFunction f = ctx.module("runtime_check").function("runtime_check_scale_add");
        try (DeviceBuffer dx = ctx.allocate(4L * n); DeviceBuffer dy = ctx.allocate(4L * n)) {
            dx.upload(x);
            dy.upload(y);
            f.launch(64, 1, 1, 256, 1, 1, 0, null, new KernelArgs().ptr(dx).ptr(dy).i64(n).f32(a).i32(bias));
            float[] got = new float[n];
            dy.download(got);
            assertArrayEquals(want, got);
        }
        assertTrue(f.registers() > 0 && f.maxThreadsPerBlock() >= 256);
    }

    @Test
    void asyncCopiesOnAStreamWithPinnedMemoryAndTiming() {
        int n = 1 << 20;
        try (PinnedBuffer host = ctx.allocatePinned(4L * n); DeviceBuffer x = ctx.allocate(4L * n);
                DeviceBuffer y = ctx.allocate(4L * n); CudaStream s = ctx.createStream();
                CudaEvent start = ctx.createEvent(); CudaEvent end = ctx.createEvent()) {
            MemorySegment h = host.segment();
            for (int k = 0; k < n; k++) {
                h.setAtIndex(ValueLayout.JAVA_FLOAT, k, k * 0.5f);
            }
            start.record(s);
            x.uploadAsync(h, 0, s);
            y.clearAsync(s);
            ctx.module("runtime_check").function("runtime_check_scale_add")
                    .launch(256, 1, 1, 256, 1, 1, 0, s, new KernelArgs().ptr(x).ptr(y).i64(n).f32(2f).i32(1));
            y.downloadAsync(h, 0, s);
            end.record(s);
            s.synchronize();
            assertTrue(end.millisSince(start) > 0f);
            for (int k = 0; k < n; k += 4099) {
                assertEquals(k + 1f, h.getAtIndex(ValueLayout.JAVA_FLOAT, k));
            }
        }
    }

    @Test
    void failuresNameTheErrorTheCallAndTheContext() {
        CudaFunction f = ctx.module("runtime_check").function("runtime_check_scale_add");
        try (DeviceBuffer x = ctx.allocate(1024)) {
            CudaException e = assertThrows(CudaException.class,
                    () -> f.launch(1, 1, 1, 4096, 1, 1, 0, null, new KernelArgs().ptr(x).ptr(x).i64(1).f32(1f).i32(0)));
            assertEquals("cuLaunchKernel", e.call());
            assertTrue(e.errorName().startsWith("CUDA_ERROR_"), e.errorName());
            assertTrue(e.getMessage().contains("runtime_check_scale_add"), e.getMessage());
        }
        CudaException oom = assertThrows(CudaException.class, () -> ctx.allocate(ctx.device().totalMemory() * 4));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", oom.errorName());
        CudaException missing = assertThrows(CudaException.class, () -> ctx.module("runtime_check").function("no_such_kernel"));
        assertEquals("CUDA_ERROR_NOT_FOUND", missing.errorName());
    }

    @Test
    void tenThousandLaunchesLeakNothing() {
        CudaFunction f = ctx.module("runtime_check").function("runtime_check_scale_add");
        int before = ctx.openResources();
        ctx.synchronize();
        long freeBefore = ctx.memoryInfo()[0];
        for (int k = 0; k < 10_000; k++) {
            try (DeviceBuffer x = ctx.allocate(4096); DeviceBuffer y = x.slice(0, 4096)) {
                f.launch(1, 1, 1, 128, 1, 1, 0, null, new KernelArgs().ptr(x).ptr(y).i64(1024).f32(1f).i32(0));
            }
        }
        ctx.synchronize();
        assertEquals(before, ctx.openResources());
        long freeAfter = ctx.memoryInfo()[0];
        // The driver may round its own bookkeeping; a leak of 10,000 x 4 KiB would be 40 MiB.
        assertTrue(Math.abs(freeBefore - freeAfter) < 4L << 20, "free memory " + freeBefore + " -> " + freeAfter);
    }

    @Test
    void cublasSgemmMatchesADoubleReference() {
        String version;
        try {
            version = Cublas.version();
        } catch (CudaException e) {
            assumeTrue(false, "no cuBLAS: " + e.getMessage());
            return;
        }
        assertTrue(version.startsWith("1"), version);
        Random r = new Random(3);
        int m = 67;
        int n = 45;
        int k = 129;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        try (Cublas blas = Cublas.open(ctx); DeviceBuffer da = ctx.allocate(4L * a.length);
                DeviceBuffer db = ctx.allocate(4L * b.length); DeviceBuffer dc = ctx.allocate(4L * m * n)) {
            da.upload(a);
            db.upload(b);
            // Row-major C (m × n) = A (m × k) · B (k × n) is column-major Cᵀ = Bᵀ · Aᵀ.
            blas.sgemm(false, false, n, m, k, 1f, db, n, da, k, 0f, dc, n);
            float[] c = new float[m * n];
            dc.download(c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = 0;
                    for (int p = 0; p < k; p++) {
                        want += (double) a[i * k + p] * b[p * n + j];
                    }
                    assertEquals(want, c[i * n + j], 1e-4 * Math.sqrt(k), "C[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void cudnnLoadsLazilyAndCreatesAHandle() {
        String version;
        try {
            version = Cudnn.version();
        } catch (CudaException e) {
            assumeTrue(false, "no cuDNN: " + e.getMessage());
            return;
        }
        assertTrue(version.startsWith("9."), version);
        try (Cudnn dnn = Cudnn.open(ctx); CudaStream s = ctx.createStream()) {
            dnn.setStream(s);
        }
    }
}
