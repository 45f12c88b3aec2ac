package io.github.vgg4j.datavec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Examples that could not be used (corrupt, truncated, zero-byte or non-image files): skipped so
 * that an epoch never crashes, and never silently: each is logged once, and the list (name and
 * reason) goes into the training result. Thread-safe.
 */
public final class SkippedFiles {
    private static final Logger log = LoggerFactory.getLogger(SkippedFiles.class);
    private static final int LOGGED = 20;
    /** Files named in {@link #toString()}, which error messages quote. */
    private static final int IN_MESSAGE = 5;

    /** One skipped example: its file name (or record id) and why. */
    public record Entry(String id, String reason) {
    }

    private final Map<String, String> entries = new LinkedHashMap<>();

    public synchronized void add(String id, String reason) {
        if (entries.putIfAbsent(id, reason) == null) {
            if (entries.size() <= LOGGED) {
                log.warn("skipped {}: {}", id, reason);
            } else if (entries.size() == LOGGED + 1) {
                log.warn("more files skipped; the full list is in the result");
            }
        }
    }

    public synchronized int count() {
        return entries.size();
    }

    public synchronized List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        entries.forEach((id, reason) -> list.add(new Entry(id, reason)));
        return list;
    }

    public synchronized boolean contains(String id) {
        return entries.containsKey(id);
    }

    @Override
    public synchronized String toString() {
        // "2 file(s) skipped: cat/0.png (empty (zero-byte) file), dog/1.png (...)": one line of a few, for error messages
        StringBuilder b = new StringBuilder(entries.size() + " file(s) skipped");
        String separator = ": ";
        int shown = 0;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (shown++ == IN_MESSAGE) {
                return b.append(" and ").append(entries.size() - IN_MESSAGE).append(" more").toString();
            }
            b.append(separator).append(e.getKey()).append(" (").append(e.getValue()).append(')');
            separator = ", ";
        }
        return b.toString();
    }
}
