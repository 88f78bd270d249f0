package lessismore;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The tool's version, from the build. */
public final class Version {
    private Version() {
    }

    /** e.g. "0.1.0", or "dev" when run from classes without resources. */
    public static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/lessismore/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
