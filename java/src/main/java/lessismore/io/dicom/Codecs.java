package lessismore.io.dicom;

import java.util.Map;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.codec.FrameCodec;
import lessismore.io.codec.Jpeg2000Codec;
import lessismore.io.codec.JpegCodec;
import lessismore.io.codec.JpegLsCodec;
import lessismore.io.codec.RleCodec;

/** The frame decoders of the compressed transfer syntaxes this version reads. */
public final class Codecs {
    private final Map<String, FrameCodec> byUid;

    /** @param byUid codec per transfer syntax UID */
    public Codecs(Map<String, FrameCodec> byUid) {
        this.byUid = Map.copyOf(byUid);
    }

    private static final Codecs STANDARD;

    static {
        FrameCodec jpeg = new JpegCodec();
        FrameCodec jpegLs = new JpegLsCodec();
        FrameCodec j2k = new Jpeg2000Codec();
        STANDARD = new Codecs(Map.of(
                "1.2.840.10008.1.2.4.50", jpeg,      // JPEG Baseline
                "1.2.840.10008.1.2.4.51", jpeg,      // JPEG Extended (8/12-bit)
                "1.2.840.10008.1.2.4.57", jpeg,      // JPEG Lossless
                "1.2.840.10008.1.2.4.70", jpeg,      // JPEG Lossless SV1
                "1.2.840.10008.1.2.4.80", jpegLs,    // JPEG-LS Lossless
                "1.2.840.10008.1.2.4.81", jpegLs,    // JPEG-LS Near-Lossless
                "1.2.840.10008.1.2.4.90", j2k,       // JPEG 2000 Lossless
                "1.2.840.10008.1.2.4.91", j2k,       // JPEG 2000
                "1.2.840.10008.1.2.5", new RleCodec())); // RLE Lossless
    }

    /**
     * The codecs of every compressed transfer syntax this version decodes: JPEG (baseline,
     * extended, lossless), JPEG-LS, JPEG 2000 (through jai-imageio's JJ2000) and RLE. HTJ2K,
     * JPEG XL, MPEG and hierarchical/progressive/arithmetic JPEG are refused as unsupported.
     */
    public static Codecs standard() {
        return STANDARD;
    }

    /** The codec for {@code uid}, or a skip with "unsupported transfer syntax UID (name)". */
    public FrameCodec forTransferSyntax(String uid) throws SkippedFileException {
        FrameCodec c = byUid.get(uid);
        if (c == null) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported transfer syntax " + TransferSyntax.describe(uid));
        }
        return c;
    }
}
