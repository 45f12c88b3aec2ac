package io.github.vgg4j.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/** Test support: the JDK's {@code javap -c -p} listing of compiled classes, for rules about what code calls. */
public final class Bytecode {

    private Bytecode() {
    }

    /** The class folder (the reactor's {@code target/classes}) that holds {@code c}. */
    public static Path classRoot(Class<?> c) {
        try {
            Path root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(root)) {
                throw new IllegalStateException("expected a class folder, got " + root);
            }
            return root;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The listing of every class under {@code root}, by class name (nested classes under their own names). */
    public static Map<String, String> disassemble(Path root) throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".class")).map(Path::toString).sorted().toList();
        }
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow(() -> new IllegalStateException("no javap in this JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-c", "-p"));
        args.addAll(files);
        try (PrintWriter w = new PrintWriter(out, true, StandardCharsets.UTF_8)) {
            if (javap.run(w, w, args.toArray(String[]::new)) != 0) {
                throw new IllegalStateException("javap failed under " + root + ": " + out.toString(StandardCharsets.UTF_8));
            }
        }
        // One listing per class, each starting with 'Compiled from "X.java"', in the order of the files given.
        String[] listings = out.toString(StandardCharsets.UTF_8).split("(?m)^(?=Compiled from )");
        Map<String, String> byClass = new TreeMap<>();
        int i = 0;
        for (String listing : listings) {
            if (!listing.isBlank()) {
                String name = root.relativize(Path.of(files.get(i++))).toString().replace('/', '.').replaceAll("\\.class$", "");
                byClass.put(name, listing);
            }
        }
        if (byClass.size() != files.size()) {
            throw new IllegalStateException(files.size() + " classes but " + byClass.size() + " listings under " + root);
        }
        return byClass;
    }
}
