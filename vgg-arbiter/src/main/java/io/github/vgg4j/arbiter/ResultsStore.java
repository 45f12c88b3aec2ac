package io.github.vgg4j.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.EpochResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The search's memory on disk: {@value #JSON} (every finished candidate with its epochs, and the
 * description of the search it belongs to) is rewritten atomically after each candidate, then
 * {@value #CSV} from it. A rerun on the same folder reads the JSON back; a folder of a different
 * search (other ranges, epochs, objective, data or model) is refused rather than mixed in.
 */
final class ResultsStore {
    private static final Logger log = LoggerFactory.getLogger(ResultsStore.class);
    static final String JSON = "results.json";
    static final String CSV = "results.csv";
    static final String BEST_MODEL = "best-model.zip";
    private static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The contract columns (CLI.md) come first, in this order. */
    private static final List<String> FIRST = List.of("index", "lr", "momentum", "score", "status", "seconds");

    private final Path directory;
    private final ObjectNode search;
    private final Objective objective;
    private final TreeMap<Integer, CandidateResult> results = new TreeMap<>();

    private ResultsStore(Path directory, ObjectNode search, Objective objective) {
        this.directory = directory;
        this.search = search;
        this.objective = objective;
    }

    /** The store of {@code directory}, with the candidates a previous run of the same search finished. */
    static ResultsStore open(Path directory, ObjectNode search, Objective objective) throws IOException {
        ResultsStore store = new ResultsStore(directory, search, objective);
        removeLeftovers(directory);
        Path file = directory.resolve(JSON);
        if (!Files.exists(file)) {
            return store;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not a readable search result (" + e.getMessage() + "); move it away to start "
                    + "a new search in " + directory, e);
        }
        if (root == null || root.path("version").asInt() != VERSION || !root.path("search").isObject()) {
            throw new IOException(file + " is not a vgg4j search result of version " + VERSION + "; move it away to start a new "
                    + "search in " + directory);
        }
        String difference = firstDifference(root.get("search"), search);
        if (difference != null) {
            throw new IllegalArgumentException(directory + " holds the results of another search (" + difference + "): give "
                    + "another output folder, or the same options to continue that search");
        }
        for (JsonNode c : root.path("candidates")) {
            CandidateResult r = read(c);
            store.results.put(r.index(), r);
        }
        store.dropStaleBestModel();
        return store;
    }

    /**
     * The best model is written just before the results that name it: a run killed between the two
     * leaves a model of a candidate the results do not hold. Such a file is removed rather than passed
     * off as the recorded best's; the next better candidate writes a new one.
     */
    private void dropStaleBestModel() throws IOException {
        Path model = directory.resolve(BEST_MODEL);
        if (!Files.exists(model)) {
            return;
        }
        CandidateResult b = best();
        String written;
        try {
            ModelInfo info = ModelFiles.readInfo(model);
            written = info == null ? null : info.properties().get("tune.candidate");
        } catch (IOException e) {
            written = null;
        }
        if (b == null || !String.valueOf(b.index()).equals(written)) {
            log.warn("{} is of candidate {}, but the best recorded in {} is {}: removed (a run was killed between writing "
                    + "the two); the next better candidate writes it again", model, written, JSON, b == null ? "none" : b.index());
            Files.delete(model);
        }
    }

    /**
     * Temporary files a killed run left behind ({@code AtomicFiles} writes {@code .NAME.PID.N.tmp}
     * beside NAME and renames it when complete): those of processes no longer alive.
     */
    private static void removeLeftovers(Path directory) throws IOException {
        try (var files = Files.newDirectoryStream(directory, ".*.tmp")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                for (String ours : List.of(JSON, CSV, BEST_MODEL)) {
                    String prefix = "." + ours + ".";
                    if (name.startsWith(prefix)) {
                        String pid = name.substring(prefix.length()).split("\\.")[0];
                        boolean alive = pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                        if (!alive) {
                            Files.deleteIfExists(f);
                        }
                    }
                }
            }
        }
    }

    private static String firstDifference(JsonNode was, JsonNode now) {
        Set<String> names = new LinkedHashSet<>();
        now.fieldNames().forEachRemaining(names::add);
        was.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode a = was.get(name);
            JsonNode b = now.get(name);
            // as text: 42 read back is an int, written it was a long
            if (a == null || b == null || !a.toString().equals(b.toString())) {
                return name + ": " + (a == null ? "none" : a.toString()) + " there, " + (b == null ? "none" : b.toString()) + " now";
            }
        }
        return null;
    }

    synchronized CandidateResult get(int index) {
        return results.get(index);
    }

    synchronized List<CandidateResult> all() {
        return new ArrayList<>(results.values());
    }

    /** Completed and early-stopped candidates: the median rule's reference. */
    synchronized List<CandidateResult> finishedNormally() {
        return results.values().stream().filter(CandidateResult::finishedNormally).toList();
    }

    /** The best score so far (NaN before any completed candidate). */
    synchronized double bestScore() {
        CandidateResult b = best();
        return b == null ? Double.NaN : b.score();
    }

    private CandidateResult best() {
        CandidateResult best = null;
        for (CandidateResult c : results.values()) {
            if (c.finishedNormally() && (best == null || objective.better(c.score(), best.score()))) {
                best = c;
            }
        }
        return best;
    }

    /** Adds a finished candidate and rewrites both files (each atomically: a kill leaves the previous version). */
    synchronized void record(CandidateResult result) throws IOException {
        results.put(result.index(), result);
        AtomicFiles.writeString(directory.resolve(JSON), MAPPER.writeValueAsString(json()));
        AtomicFiles.writeString(directory.resolve(CSV), csv());
    }

    private ObjectNode json() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.set("search", search);
        root.put("objective", objective.key());
        ArrayNode list = root.putArray("candidates");
        for (CandidateResult r : results.values()) {
            list.add(write(r));
        }
        CandidateResult b = best();
        if (b != null) {
            ObjectNode best = root.putObject("best");
            best.put("index", b.index());
            best.put("score", b.score());
            best.put("model", BEST_MODEL);
        }
        return root;
    }

    private static ObjectNode write(CandidateResult r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("index", r.index());
        r.hyperparameters().putInto(n.putObject("hyperparameters"));
        n.put("status", r.status().key());
        number(n, "score", r.score());
        n.put("bestEpoch", r.bestEpoch());
        n.put("seconds", r.seconds());
        n.put("reason", r.reason());
        n.put("finished", r.finished().toString());
        ArrayNode epochs = n.putArray("epochs");
        for (int i = 0; i < r.epochs().size(); i++) {
            EpochResult e = r.epochs().get(i);
            ObjectNode en = epochs.addObject();
            en.put("epoch", e.epoch() + 1);
            number(en, "score", r.scoreAfter(i + 1));
            number(en, "trainLoss", e.trainLoss());
            number(en, "validationLoss", e.validationLoss());
            number(en, "validationAccuracy", e.validationAccuracy());
            number(en, "learningRate", e.learningRate());
            en.put("seconds", e.seconds());
            en.put("examples", e.examples());
        }
        return n;
    }

    private static CandidateResult read(JsonNode n) throws IOException {
        try {
            Map<String, Object> hp = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.get("hyperparameters").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                hp.put(e.getKey(), v.isBoolean() ? (Object) v.booleanValue() : v.isIntegralNumber() ? (Object) v.intValue()
                        : (Object) v.doubleValue());
            }
            List<Double> scores = new ArrayList<>();
            List<EpochResult> epochs = new ArrayList<>();
            for (JsonNode e : n.path("epochs")) {
                scores.add(number(e, "score"));
                epochs.add(new EpochResult(e.get("epoch").asInt() - 1, number(e, "trainLoss"), Double.NaN,
                        number(e, "validationLoss"), number(e, "validationAccuracy"), number(e, "learningRate"),
                        e.path("seconds").asDouble(), e.path("examples").asLong()));
            }
            return new CandidateResult(n.get("index").asInt(), new Hyperparameters(hp), CandidateResult.Status.parse(
                    n.get("status").asText()), number(n, "score"), n.path("bestEpoch").asInt(), scores, epochs,
                    n.path("seconds").asDouble(), n.path("reason").isNull() ? null : n.path("reason").asText(null),
                    Instant.parse(n.get("finished").asText()));
        } catch (RuntimeException e) {
            throw new IOException("a candidate in " + JSON + " is damaged (" + e + "): " + n, e);
        }
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }

    private static double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    /** One row per candidate: the contract's columns, epochs run and best epoch, the other hyperparameters, the reason. */
    private String csv() {
        Set<String> extra = new LinkedHashSet<>();
        for (CandidateResult r : results.values()) {
            for (String k : r.hyperparameters().values().keySet()) {
                if (!FIRST.contains(k)) {
                    extra.add(k);
                }
            }
        }
        List<String> header = new ArrayList<>(FIRST);
        header.add("epochs");
        header.add("bestEpoch");
        header.addAll(extra);
        header.add("reason");
        StringBuilder s = new StringBuilder(String.join(",", header)).append('\n');
        for (CandidateResult r : results.values()) {
            Map<String, Object> hp = r.hyperparameters().values();
            List<String> row = new ArrayList<>();
            row.add(String.valueOf(r.index()));
            row.add(value(hp.get(Hyperparameters.LEARNING_RATE)));
            row.add(value(hp.get(Hyperparameters.MOMENTUM)));
            row.add(Double.isNaN(r.score()) ? "" : String.valueOf(r.score()));
            row.add(r.status().key());
            row.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            row.add(String.valueOf(r.epochs().size()));
            row.add(r.bestEpoch() > 0 ? String.valueOf(r.bestEpoch()) : "");
            for (String k : extra) {
                row.add(value(hp.get(k)));
            }
            row.add(quote(r.reason()));
            s.append(String.join(",", row)).append('\n');
        }
        return s.toString();
    }

    private static String value(Object v) {
        return v == null ? "" : String.valueOf(v);
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
    private static String quote(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replace("\r", " ").replace("\n", " ");
        return oneLine.contains(",") || oneLine.contains("\"") ? "\"" + oneLine.replace("\"", "\"\"") + "\"" : oneLine;
    }
}
