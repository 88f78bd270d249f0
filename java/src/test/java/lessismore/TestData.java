package lessismore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Locates the shared real CT data ({@code ../shared/data} beside the checkout) and hashes trees. */
public final class TestData {
    private TestData() {
    }

    /**
     * {@code shared/data}; a skipped test when this checkout has no shared folder beside it, a
     * failure when that happens under CI.
     */
    public static Path sharedData() {
        String prop = System.getProperty("lessismore.shared");
        if (prop != null && Files.isDirectory(Paths.get(prop, "data"))) {
            return Paths.get(prop, "data").toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("data");
            if (Files.isDirectory(candidate.resolve("ct"))) {
                return candidate.normalize();
            }
        }
        if (System.getenv("CI") != null) {
            // CI always has ../shared: a missing folder there is a broken setup, not a reason to skip.
            throw new AssertionError("../shared/data not found beside the checkout (CI is set)");
        }
        Assumptions.abort("../shared/data not found beside the checkout");
        return null;
    }

    /** SHA-256 of every regular file under {@code root}, by relative path, to prove inputs unchanged. */
    public static Map<String, String> checksums(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.put(root.relativize(p).toString(), sha256(p));
                }
            }
        }
        return out;
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
