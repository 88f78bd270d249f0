package lessismore.output;

/** RFC 4180 field quoting for the CSV files we write. */
public final class Csv {
    private Csv() {
    }

    /** The field as is, or quoted (with doubled quotes) when it holds a comma, quote or line break. */
    public static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
