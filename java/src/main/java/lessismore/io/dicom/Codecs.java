package lessismore.io.dicom;

import java.util.Map;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.codec.FrameCodec;

/** The frame decoders of the compressed transfer syntaxes this version reads. */
public final class Codecs {
    private final Map<String, FrameCodec> byUid;

    /** @param byUid codec per transfer syntax UID */
    public Codecs(Map<String, FrameCodec> byUid) {
        this.byUid = Map.copyOf(byUid);
    }

    /** The codecs of every compressed transfer syntax this version decodes. */
    public static Codecs standard() {
        return new Codecs(Map.of());
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

    /** Whether {@code uid} can be decoded. */
    public boolean supports(String uid) {
        return byUid.containsKey(uid) || TransferSyntax.isNative(uid);
    }
}
