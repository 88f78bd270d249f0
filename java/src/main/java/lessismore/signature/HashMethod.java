package lessismore.signature;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A perceptual hash of imagehash 4.3 ({@link ImageHash}) as a signature method: slices are alike
 * when the Hamming distance of their hashes is small. Signatures are the hash words; signing is
 * synchronous and needs no per-thread state.
 */
public final class HashMethod implements SignatureMethod<long[]> {
    /** The hash functions of imagehash 4.3 offered. */
    public enum Kind {
        /** {@code imagehash.dhash}: signs of horizontal neighbour differences. */
        DHASH,
        /** {@code imagehash.average_hash}: pixels above the mean. */
        AHASH,
        /** {@code imagehash.phash}: low DCT frequencies above their median. */
        PHASH,
        /** {@code imagehash.whash} (Haar, lowest band removed): wavelet approximation above its median. */
        WHASH;

        long[] hash(byte[] gray, int w, int h, int hashSize) {
            return switch (this) {
                case DHASH -> ImageHash.dhash(gray, w, h, hashSize);
                case AHASH -> ImageHash.ahash(gray, w, h, hashSize);
                case PHASH -> ImageHash.phash(gray, w, h, hashSize);
                case WHASH -> ImageHash.whash(gray, w, h, hashSize);
            };
        }
    }

    private final Kind kind;
    private final int hashSize;
    private final Map<String, Object> parameters;

    /**
     * A hash method.
     *
     * @param kind     which hash
     * @param hashSize the hash is hashSize × hashSize bits: at least 2, as imagehash requires, and a
     *                 power of 2 for {@link Kind#WHASH} (8 and 16 are the usual sizes)
     * @throws IllegalArgumentException for a size imagehash's definition does not allow
     */
    public HashMethod(Kind kind, int hashSize) {
        if (hashSize < 2 || (kind == Kind.WHASH && Integer.bitCount(hashSize) != 1)) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + ": hash size " + hashSize
                    + " is not allowed (at least 2" + (kind == Kind.WHASH ? ", a power of 2)" : ")"));
        }
        this.kind = kind;
        this.hashSize = hashSize;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("kind", kind.name().toLowerCase(Locale.ROOT));
        p.put("hash_size", hashSize);
        p.put("bits", bits());
        p.put("resize_filter", "Pillow LANCZOS");
        p.put("definition", "imagehash 4.3");
        switch (kind) {
            case PHASH -> p.put("highfreq_factor", 4);
            case WHASH -> {
                p.put("mode", "haar");
                p.put("remove_max_haar_ll", true);
                p.put("image_scale", "largest power of 2 <= min(width, height)");
            }
            default -> {
            }
        }
        this.parameters = Collections.unmodifiableMap(p);
    }

    /** Which hash. */
    public Kind kind() {
        return kind;
    }

    /** Side of the hash grid. */
    public int hashSize() {
        return hashSize;
    }

    /** Number of hash bits, hashSize². */
    public int bits() {
        return hashSize * hashSize;
    }

    /** E.g. {@code dhash-8}, {@code phash-16}. */
    @Override
    public String name() {
        return kind.name().toLowerCase(Locale.ROOT) + "-" + hashSize;
    }

    @Override
    public Map<String, Object> parameters() {
        return parameters;
    }

    @Override
    public Direction direction() {
        return Direction.DISTANCE;
    }

    @Override
    public boolean discrete() {
        return true;
    }

    @Override
    public boolean hamming() {
        return true;
    }

    /** The hash of one image, synchronously. */
    public long[] hash(byte[] gray, int width, int height) {
        return kind.hash(gray, width, height, hashSize);
    }

    @Override
    public Signer<long[]> newSigner() {
        return (gray, width, height, sink) -> sink.accept(hash(gray, width, height));
    }

    /** Hamming distance. */
    @Override
    public double compare(long[] a, long[] b) {
        return ImageHash.hamming(a, b);
    }

    /** imagehash's hex text of the hash. */
    @Override
    public String text(long[] signature) {
        return ImageHash.hex(signature, bits());
    }
}
