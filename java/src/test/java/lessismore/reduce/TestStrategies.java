package lessismore.reduce;

import lessismore.select.Rule;
import lessismore.select.SignatureStrategy;
import lessismore.signature.HashMethod;

/** Strategies the pipeline tests share. */
final class TestStrategies {
    private TestStrategies() {
    }

    /** The published Hash-6: dHash-8, reference rule, distance ≤ 6. */
    static SignatureStrategy<long[]> hash6() {
        return new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 8), Rule.REFERENCE, 6);
    }
}
