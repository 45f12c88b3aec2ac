package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.datavec.SkippedFiles;

import java.io.PrintWriter;

/**
 * The files a command could not read, reported once, in its result: the library's own warning per
 * file is silenced in the command line's logging configuration (log4j2.xml).
 */
final class Skipped {
    private Skipped() {
    }

    static ObjectNode json(SkippedFiles skipped) {
        ObjectNode s = Json.object();
        s.put("count", skipped.count());
        ArrayNode files = s.putArray("files");
        for (SkippedFiles.Entry e : skipped.entries()) {
            files.addObject().put("file", e.id()).put("reason", e.reason());
        }
        return s;
    }

    static void print(PrintWriter out, SkippedFiles skipped) {
        if (skipped.count() > 0) {
            out.printf("skipped %d file(s):%n", skipped.count());
            skipped.entries().forEach(e -> out.printf("  %s: %s%n", e.id(), e.reason()));
        }
    }
}
