package lessismore.signature;

import java.util.Map;

/** Temporary: dHash-8 only, replaced by the full hash family. */
public final class HashMethod implements SignatureMethod<long[]> {
    /** Hash kinds. */
    public enum Kind { DHASH, AHASH, PHASH, WHASH }

    private final Kind kind;
    private final int hashSize;

    /** A hash method. */
    public HashMethod(Kind kind, int hashSize) {
        this.kind = kind;
        this.hashSize = hashSize;
    }

    @Override
    public String name() {
        return kind.name().toLowerCase() + "-" + hashSize;
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("kind", kind.name());
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

    @Override
    public Signer<long[]> newSigner() {
        return (gray, w, h, sink) -> sink.accept(new long[] {DHash.dhash64(gray, w, h)});
    }

    @Override
    public double compare(long[] a, long[] b) {
        return Long.bitCount(a[0] ^ b[0]);
    }

    @Override
    public String text(long[] s) {
        return DHash.toHex(s[0]);
    }
}
