package lessismore.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import lessismore.cuda.CudaContext;
import lessismore.signature.HashMethod;
import lessismore.signature.Signer;

/**
 * Perceptual hashes of a worker thread's slices on the GPU, in batches of equal-sized slices
 * ({@link CudaPerceptualHash}, bit-exact with {@link HashMethod#hash}). Slices are copied into the
 * batch as they come; a batch is hashed when full, when a slice of another size arrives, and at
 * {@link #flush()}. One per thread: not thread-safe.
 */
public final class CudaHashSigner implements Signer<long[]> {
    /** Bytes of 8-bit pixels one batch holds (at 512 × 512, 64 slices). */
    private static final int BATCH_BYTES = 16 << 20;

    private final CudaPerceptualHash device;
    private final PerceptualHash.Kind kind;
    private final int hashSize;
    private final int words;
    private final List<Consumer<long[]>> sinks = new ArrayList<>();
    private byte[] batch = new byte[0];
    private int width;
    private int height;

    /** Whether the GPU computes {@code method}'s hash (dHash, aHash, pHash at sizes 8 and 16; not wHash). */
    public static boolean supports(HashMethod method) {
        return method.kind() != HashMethod.Kind.WHASH && (method.hashSize() == 8 || method.hashSize() == 16);
    }

    /** A signer for {@code method} on {@code ctx}; {@link #supports} must hold. */
    public CudaHashSigner(CudaContext ctx, HashMethod method) {
        if (!supports(method)) {
            throw new IllegalArgumentException(method.name() + " is not computed on the GPU");
        }
        this.device = new CudaPerceptualHash(ctx);
        this.kind = PerceptualHash.Kind.valueOf(method.kind().name());
        this.hashSize = method.hashSize();
        this.words = PerceptualHash.words(hashSize);
    }

    @Override
    public void sign(byte[] gray, int w, int h, Consumer<long[]> sink) {
        int size = w * h;
        if (!sinks.isEmpty() && (w != width || h != height)) {
            flush();
        }
        width = w;
        height = h;
        int capacity = Math.max(1, BATCH_BYTES / size);
        if (batch.length < capacity * size) {
            batch = new byte[Math.multiplyExact(capacity, size)];
        }
        System.arraycopy(gray, 0, batch, sinks.size() * size, size);
        sinks.add(sink);
        if (sinks.size() == capacity) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (sinks.isEmpty()) {
            return;
        }
        long[] hashes = device.hash(kind, hashSize, batch, sinks.size(), width, height);
        for (int i = 0; i < sinks.size(); i++) {
            sinks.get(i).accept(Arrays.copyOfRange(hashes, i * words, (i + 1) * words));
        }
        sinks.clear();
    }

    @Override
    public void close() {
        device.close();
    }
}
