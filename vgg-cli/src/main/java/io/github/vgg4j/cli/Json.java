package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.datavec.SkippedFiles;

/** JSON output of the commands: one object on stdout. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts a number, or null for NaN (JSON has no NaN). */
    static void put(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    static ObjectNode skipped(SkippedFiles skipped) {
        ObjectNode s = object();
        s.put("count", skipped.count());
        ArrayNode files = s.putArray("files");
        for (SkippedFiles.Entry e : skipped.entries()) {
            files.addObject().put("file", e.id()).put("reason", e.reason());
        }
        return s;
    }
}
