package io.github.vgg4j.cli.report;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Pattern;

/**
 * CSV that a spreadsheet opens as data: fields quoted by commons-csv where RFC 4180 needs it (a
 * comma, quote, CR or LF: a file name may hold a newline), and text that a spreadsheet would run as
 * a formula (first character =, +, -, @, tab or CR, as in a class folder named
 * {@code =HYPERLINK(...)}) written after an apostrophe, which keeps it text. Numbers are unchanged.
 */
public final class Csv {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').build();
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private Csv() {
    }

    /** The header and rows as CSV text, every field made safe by {@link #field}. */
    public static String write(List<String> header, List<List<String>> rows) throws IOException {
        StringWriter w = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(w, FORMAT)) {
            csv.printRecord(header.stream().map(Csv::field).toList());
            for (List<String> row : rows) {
                csv.printRecord(row.stream().map(Csv::field).toList());
            }
        }
        return w.toString();
    }

    /** {@code text}, or {@code 'text} when a spreadsheet would take it for a formula. */
    public static String field(String text) {
        if (text.isEmpty() || "=+-@\t\r".indexOf(text.charAt(0)) < 0 || NUMBER.matcher(text).matches()) {
            return text;
        }
        return "'" + text;
    }
}
