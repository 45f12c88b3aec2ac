package io.github.vgg4j.core.io;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.serde.JsonMappers;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonToken;
import org.nd4j.shade.jackson.databind.JavaType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.type.TypeFactory;
import org.nd4j.shade.jackson.databind.util.LRUMap;
import org.nd4j.shade.jackson.databind.util.LookupCache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which classes a model file may make DL4J load. DL4J's configuration JSON names classes in its
 * polymorphic type ids ({@code "@class"}, and {@code "type"} for weight distributions), and
 * Jackson loads and initialises the class a type id names before it checks that the class fits;
 * the static initialiser of any class on the classpath would run (a class of the FFmpeg presets
 * extracts and loads native libraries). Only classes of DL4J, ND4J and vgg4j are accepted (extend
 * with {@code -Dvgg4j.model.allowedClassPrefixes=com.example.,...}); ND4J's shaded libraries
 * ({@code org.nd4j.shade.}) are not part of that.
 *
 * <p>Two checks, both before any class named by the file is loaded:
 * <ol>
 *   <li>the configuration is read token by token with the parser of DL4J's own mapper (so escapes
 *       such as {@code "@\u0063lass"} are decoded as Jackson decodes them): every type-id property,
 *       in any letter case, must hold the name of an allowed class; duplicate keys, nesting deeper
 *       than {@value #MAX_DEPTH} and oversized tokens are refused;</li>
 *   <li>while DL4J deserialises it, every class name Jackson resolves, in whatever form (a type id
 *       in an array wrapper, a generic type's parameters, a {@code Class} field), passes a gate in
 *       the type factory of DL4J's mappers that refuses names outside the allowlist. The gate acts
 *       only inside {@link #configuration}, on its thread; elsewhere DL4J's mappers behave as before.</li>
 * </ol>
 */
final class ModelFileSafety {
    static final String ALLOWED_PROPERTY = "vgg4j.model.allowedClassPrefixes";
    private static final List<String> ALLOWED = List.of("org.deeplearning4j.", "org.nd4j.", "io.github.vgg4j.");
    private static final List<String> DENIED = List.of("org.nd4j.shade.");
    /** The properties DL4J's and ND4J's classes use for class-name type ids (Jackson's default, and Distribution's). */
    private static final Set<String> TYPE_ID_PROPERTIES = Set.of("@class", "type", "@type");
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    static final int MAX_DEPTH = 100;
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_STRING_CHARS = 1 << 20;
    private static final ThreadLocal<Gate> ACTIVE = new ThreadLocal<>();

    private ModelFileSafety() {
    }

    /** A network configuration read from a model file: one of the two, the other null. */
    record Configuration(MultiLayerConfiguration layers, ComputationGraphConfiguration graph) {
        boolean isGraph() {
            return graph != null;
        }
    }

    /**
     * Checks a model's configuration.json and only then has DL4J deserialise it (with the gate
     * on). Any problem becomes an IOException naming {@code file}.
     */
    static Configuration configuration(Path file, String json) throws IOException {
        boolean graph = scan(file, json);
        Gate gate = new Gate(allowedPrefixes());
        install();
        ACTIVE.set(gate);
        try {
            return graph ? new Configuration(null, ComputationGraphConfiguration.fromJson(json))
                    : new Configuration(MultiLayerConfiguration.fromJson(json), null);
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // LinkageError: an allowed class whose initialiser fails (ExceptionInInitializerError)
            if (gate.refused != null) {
                throw refused(file, gate.refused, "a type id");
            }
            throw new IOException(file + ": configuration.json is not a valid DL4J " + (graph ? "ComputationGraph" : "MultiLayerNetwork")
                    + " configuration: " + firstLine(e), e);
        } finally {
            ACTIVE.remove();
        }
    }

    /**
     * The token-level check; true if the configuration is a ComputationGraph's (its top-level
     * object has "vertices"), false for a MultiLayerNetwork's.
     */
    static boolean scan(Path file, String json) throws IOException {
        List<String> allowed = allowedPrefixes();
        boolean graph = false;
        Deque<Set<String>> keys = new ArrayDeque<>();
        try (JsonParser p = JsonMappers.getMapper().getFactory().createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new IOException(file + ": configuration.json is not a JSON object");
            }
            for (; t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        keys.push(t == JsonToken.START_OBJECT ? new HashSet<>() : Set.of());
                        if (keys.size() > MAX_DEPTH) {
                            throw new IOException(file + ": configuration.json nests deeper than " + MAX_DEPTH + " levels");
                        }
                    }
                    case END_OBJECT, END_ARRAY -> {
                        keys.pop();
                        if (keys.isEmpty() && p.nextToken() != null) {
                            throw new IOException(file + ": configuration.json has more after its top-level object");
                        }
                    }
                    case FIELD_NAME -> {
                        String name = p.getCurrentName();
                        if (!keys.peek().add(name)) {
                            throw new IOException(file + ": configuration.json has the key \"" + printable(name)
                                    + "\" twice in one object; refused (a reader may take either)");
                        }
                        if (keys.size() == 1 && name.equals("vertices")) {
                            graph = true;
                        }
                        if (TYPE_ID_PROPERTIES.contains(name.toLowerCase(Locale.ROOT))) {
                            JsonToken v = p.nextToken();
                            if (v != JsonToken.VALUE_STRING) {
                                throw new IOException(file + ": configuration.json has a type id \"" + printable(name)
                                        + "\" that is not a class name (" + v + ")");
                            }
                            String cls = p.getText();
                            if (!allowed(cls, allowed)) {
                                throw refused(file, cls, "\"" + printable(name) + "\"");
                            }
                        }
                    }
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        if (p.getTextLength() > MAX_NUMBER_CHARS) {
                            throw new IOException(file + ": configuration.json has a number of " + p.getTextLength() + " digits");
                        }
                    }
                    case VALUE_STRING -> {
                        if (p.getTextLength() > MAX_STRING_CHARS) {
                            throw new IOException(file + ": configuration.json has a string of " + p.getTextLength() + " characters");
                        }
                    }
                    default -> {
                        // true, false, null
                    }
                }
            }
        } catch (org.nd4j.shade.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": configuration.json is not valid JSON: " + firstLine(e), e);
        }
        return graph;
    }

    static boolean allowed(String className, List<String> prefixes) {
        return CLASS_NAME.matcher(className).matches() && prefixes.stream().anyMatch(className::startsWith)
                && DENIED.stream().noneMatch(className::startsWith);
    }

    static List<String> allowedPrefixes() {
        List<String> allowed = new ArrayList<>(ALLOWED);
        for (String p : System.getProperty(ALLOWED_PROPERTY, "").split(",")) {
            if (!p.isBlank()) {
                allowed.add(p.trim());
            }
        }
        return allowed;
    }

    private static IOException refused(Path file, String className, String where) {
        return new IOException(file + ": configuration.json names class " + printable(className) + " in " + where
                + ", which is not part of DL4J, ND4J or vgg4j; refused before loading it (allow trusted packages with -D"
                + ALLOWED_PROPERTY + "=...)");
    }

    /** Puts the gate into DL4J's JSON mappers (the current one and the legacy-format one), once. */
    private static synchronized void install() {
        for (ObjectMapper m : List.of(JsonMappers.getMapper(), JsonMappers.getLegacyMapper())) {
            if (!(m.getTypeFactory() instanceof GatedTypeFactory)) {
                m.setTypeFactory(new GatedTypeFactory());
            }
        }
    }

    /** The allowlist of one deserialisation, and the first name it refused. */
    private static final class Gate {
        final List<String> prefixes;
        String refused;

        Gate(List<String> prefixes) {
            this.prefixes = prefixes;
        }
    }

    /**
     * Jackson resolves every class name it reads (type ids, generic parameters, Class fields)
     * through its mapper's type factory: refused names never reach {@code Class.forName}.
     */
    private static final class GatedTypeFactory extends TypeFactory {
        GatedTypeFactory() {
            super((LookupCache<Object, JavaType>) new LRUMap<Object, JavaType>(16, 200));
        }

        @Override
        public Class<?> findClass(String className) throws ClassNotFoundException {
            Gate gate = ACTIVE.get();
            if (gate != null && !allowed(className, gate.prefixes)) {
                if (gate.refused == null) {
                    gate.refused = className;
                }
                throw new ClassNotFoundException(className + " is not on vgg4j's model-class allowlist");
            }
            return super.findClass(className);
        }
    }

    private static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
