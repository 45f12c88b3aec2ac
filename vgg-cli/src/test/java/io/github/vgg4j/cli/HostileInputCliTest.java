package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ClassTripwire;
import io.github.vgg4j.core.io.CraftedZip;
import io.github.vgg4j.core.io.HostileModels;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.internal.DatasetCache;
import io.github.vgg4j.datavec.HostileData;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16's hostile files and faults, run through the command line as a user would: each ends
 * with exit 1 (2 where the command line itself is at fault) and one line on stderr that names the
 * file and the limit; no stack trace, no class of the file's loaded, nothing left behind. Those
 * that once crashed or hung the JVM, or whose native output matters, run through ./vgg in a child
 * JVM ({@link HostileInputLauncherTest}). The generators are the library tests' own.
 */
class HostileInputCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Cases run, and those that ended as documented (all of them, or a test fails): the figures of docs/reliability.md. */
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger ERRORS = new AtomicInteger();

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static Map<String, byte[]> model;

    @BeforeAll
    static void aRealModel() throws IOException {
        model = HostileModels.entries(shared); // vgg11_bn, 3x32x32, classes cat, dog, fox
    }

    @BeforeEach
    void cache() throws IOException {
        System.setProperty(DatasetCache.PROPERTY, Files.createDirectories(dir.resolve("cache")).toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty(DatasetCache.PROPERTY);
    }

    @AfterAll
    static void figures() {
        System.out.printf("hostile inputs through the command line (in-process): %d cases, %d ended as documented "
                + "(exit, one line naming the file and the limit, nothing left behind)%n", CASES.get(), ERRORS.get());
    }

    // ---- model files --------------------------------------------------------------------------------

    @Test
    void aModelNamingAForeignClassLoadsNoClassInAnyCommandThatOpensModels() throws Exception {
        // the two bypasses of the allowlist: a JSON escape in the key, and a second configuration
        // in a local entry that the zip's central directory does not list (vgg summary --model checked nothing)
        Path escaped = HostileModels.write(dir.resolve("escaped.zip"), HostileModels.with(model, "configuration.json",
                HostileModels.firstActivation(model, "\"@\\u0063lass\" : \"" + ClassTripwire.TRIPWIRE + "\"")));
        CraftedZip hidden = new CraftedZip();
        model.forEach(hidden::entry);
        hidden.entry("configuration.json", HostileModels.firstActivation(model, "\"@class\" : \"" + ClassTripwire.TRIPWIRE + "\""),
                false);
        Path twoViews = Files.write(dir.resolve("two-views.zip"), hidden.bytes());
        Path data = pets(dir.resolve("pets"));
        Path image = data.resolve("cat/0.png");
        for (Path file : List.of(escaped, twoViews)) {
            String what = file == escaped ? "names class " + ClassTripwire.TRIPWIRE + " in \"@class\"" : "appears twice";
            String f = file.toString();
            for (String[] args : List.of(
                    new String[] {"summary", "--model", f},
                    new String[] {"evaluate", "--model", f, "--data", data.toString()},
                    new String[] {"predict", "--model", f, image.toString()},
                    new String[] {"inspect", "--model", f, "--data", data.toString(), "--out", dir.toString()},
                    new String[] {"finetune", "--base", f, "--data", data.toString(), "--out", dir.resolve("ft.zip").toString()})) {
                ClassTripwire.Recorded<CliRun> r = ClassTripwire.record(() -> refused(1, file, args, what));
                assertFalse(r.requested().contains(ClassTripwire.TRIPWIRE), args[0] + " asked for the class: " + r.requested());
            }
        }
        assertFalse(ClassTripwire.initialised(ClassTripwire.TRIPWIRE), "the file's class was initialised");
        assertNull(System.getProperty(ClassTripwire.MARK));
    }

    // ---- data that costs much from little -----------------------------------------------------------

    @Test
    void smallArchivesAndFilesThatDeclareHugeContentsAreRefusedNamingTheBudget() throws Exception {
        // the 1.8 MB CIFAR-10 archive of 100,000-record batches: an OutOfMemoryError with a stack trace before
        Path cifar = HostileData.cifarArchiveOfOversizedBatches(dir.resolve("cifar-10-binary.tar.gz"), 100_000);
        refused(1, cifar, train(cifar), "data_batch_1.bin: 100000 records in one file",
                "at most 10,000 records per CIFAR batch file (raise with -Dvgg4j.cifar.maxRecordsPerFile=...)");
        refused(1, cifar, new String[] {"tune", "--data", cifar.toString(), "--lr", "0.01", "--momentum", "0.9", "--out", dir.toString()},
                "data_batch_1.bin: 100000 records in one file", "-Dvgg4j.cifar.maxRecordsPerFile");
        // a 2 MB zip holding a 2 GB entry: extracted in full into the dataset cache and left there before
        Path zip = HostileData.zipOfZeros(dir.resolve("images.zip"), "train/cat.0.jpg", 2 * HostileData.GB);
        refused(1, zip, train(zip), "entry 'train/cat.0.jpg' declares 2,147,483,648 bytes",
                "at most 1,073,741,824 bytes per archive entry (raise with -Dvgg4j.archive.maxEntryBytes=...)");
        // a 33 KB idx.gz of two 4096x4096 images: a 1x4096x4096 network died after 145 s before
        Path idx = HostileData.idxOfLargeImages(dir.resolve("idx"), 2, 4096);
        refused(1, idx.resolve("train-images-idx3-ubyte.gz"), train(idx), "batches of 64 images of 1x4096x4096",
                "raise -Xmx");
    }

    @Test
    void aHugeFileThatStartsLikeAPngIsSkippedInTrainingAndAnErrorWhenItIsAllThereIsToPredict() throws Exception {
        Path data = pets(dir.resolve("pets"));
        Path huge = HostileData.sparsePng(data.resolve("cat/huge.png"), 3_000_000_000L);
        Path out = dir.resolve("m.zip");
        String budget = "3,000,000,000 bytes; at most 67,108,864 bytes per image file (raise with -Dvgg4j.maxImageBytes=...)";
        CliRun trained = CliRun.of("train", "--data", data.toString(), "--input", "3x32x32", "--config", "A", "--width", "0.0625",
                "--epochs", "1", "--batch", "4", "--lr-schedule", "cosine", "--val-fraction", "0.25", "--out", out.toString(), "--json");
        CASES.incrementAndGet();
        assertEquals(0, trained.exit(), "a bad file never fails an epoch: " + trained.err());
        JsonNode skipped = JSON.readTree(trained.out()).get("skipped");
        assertTrue(skipped.toString().contains("cat/huge.png") && skipped.toString().contains(budget), skipped.toString());
        ERRORS.incrementAndGet();

        refused(1, huge, new String[] {"predict", "--model", out.toString(), huge.toString()}, "no image of", budget);
        // a crop fraction that would resize a 224 crop's shorter side to 2.2 million pixels (9 GB before)
        refused(2, null, new String[] {"predict", "--model", out.toString(), "--crop-pct", "0.0001", data.resolve("cat/0.png").toString()},
                "--crop-pct", "crop-pct must be in [0.1, 1]", "got 0.0001");
    }

    // ---- data that is none: an error, never NaN with exit 0 ------------------------------------------

    @Test
    void cifarBatchesThatAreEmptyOrLinksAndAnEmptiedTestBatchAreErrors() throws Exception {
        for (HostileData.NotAFile kind : HostileData.NotAFile.values()) {
            Path archive = HostileData.cifarArchiveOfNonFiles(dir.resolve(kind + "-cifar-10-binary.tar.gz"), kind);
            refused(1, archive, train(archive), kind == HostileData.NotAFile.EMPTY
                    ? "data_batch_1.bin: an empty file (0 bytes)" : "data_batch_1.bin is a link (to '/etc/passwd')");
        }
        Path folder = HostileData.cifarFolderWithEmptyTestBatch(dir.resolve("cifar-10-batches-bin"), 20);
        refused(1, folder.resolve("test_batch.bin"), train(folder), "an empty file (0 bytes)");
    }

    @Test
    void aFolderOfWhichNoImageCanBeReadIsAFailureNotAUsageErrorNorNaN() throws Exception {
        // the library says so with an IllegalArgumentException, which the command line once took for a usage error
        Path folder = dir.resolve("unreadable");
        for (String c : List.of("cat", "dog")) {
            for (int i = 0; i < 3; i++) {
                HostileData.sparsePng(folder.resolve(c).resolve(i + ".png"), 3000); // a PNG's header, then zeros
            }
        }
        refused(1, folder, train(folder), "no readable image in " + folder);
        // and evaluating on it finds nothing to evaluate (an accuracy of NaN with exit 0, before)
        Path m = HostileModels.write(dir.resolve("model.zip"), model);
        refused(1, folder, new String[] {"evaluate", "--model", m.toString(), "--data", folder.toString()}, "nothing to evaluate",
                "6 file(s) skipped: cat/0.png (");
    }

    // ---- probability files and spreadsheets ---------------------------------------------------------

    @Test
    void aProbabilityFileOfAModelThatIsNotBinaryNeedsANamedPositiveClass() throws Exception {
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        Path m = savedModel(ten);
        Path test = Files.createDirectories(dir.resolve("test1"));
        HostileData.png(test.resolve("1.png"));
        HostileData.png(test.resolve("2.png"));
        Path kaggle = dir.resolve("submission.csv");
        // 0.005 on every row, with exit 0, before
        refused(2, m, new String[] {"predict", "--model", m.toString(), "--kaggle-csv", kaggle.toString(), test.toString()},
                "--kaggle-csv", "has 10 classes", "--positive-class NAME");
        refused(2, null, new String[] {"predict", "--model", m.toString(), "--kaggle-csv", kaggle.toString(), "--positive-class", "dog",
                test.toString()}, "--positive-class", "'dog' is not one of the model's classes [c0, c1");
        refused(2, null, new String[] {"predict", "--model", m.toString(), "--positive-class", "c3", test.toString()},
                "--positive-class applies to --kaggle-csv");

        Path all = dir.resolve("all.csv");
        CliRun named = CliRun.of("predict", "--model", m.toString(), "--kaggle-csv", kaggle.toString(), "--positive-class", "c3",
                "--clip", "0", "--csv", all.toString(), test.toString());
        assertEquals(0, named.exit(), named.err());
        List<CSVRecord> probabilities = csv(all);
        List<CSVRecord> rows = csv(kaggle);
        assertEquals(List.of("id", "label"), rows.get(0).toList());
        int c3 = probabilities.get(0).toList().indexOf("c3");
        for (int i = 1; i <= 2; i++) {
            assertEquals(String.valueOf(i), rows.get(i).get(0));
            String file = test.resolve(i + ".png").toString();
            CSVRecord p = probabilities.stream().filter(r -> r.get(0).equals(file)).findFirst().orElseThrow(() -> new AssertionError(
                    file + " not in " + probabilities));
            assertEquals(Double.parseDouble(p.get(c3)), Double.parseDouble(rows.get(i).get(1)), 1e-6, "P(c3) of " + file);
        }
    }

    @Test
    void labelsAndFileNamesCannotInjectFormulasOrRowsIntoTheCsv() throws Exception {
        List<String> labels = List.of("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0", "two\nlines",
                "plain, with a comma");
        Path m = savedModel(labels);
        Path images = Files.createDirectories(dir.resolve("images"));
        HostileData.png(images.resolve("=2+5.png"));
        HostileData.png(images.resolve("@SUM(A1).png"));
        HostileData.png(images.resolve("new\nline.png"));
        Path out = dir.resolve("p.csv");
        CliRun run = CliRun.of("predict", "--model", m.toString(), "--csv", out.toString(), images.toString());
        assertEquals(0, run.exit(), run.err());
        List<CSVRecord> records = csv(out);
        assertEquals(4, records.size(), "a header and one row per image: " + records);
        List<String> header = records.get(0).toList();
        assertEquals(List.of("file", "label", "probability", "'" + labels.get(0), "'" + labels.get(1), "two\nlines",
                "plain, with a comma"), header);
        for (CSVRecord r : records) {
            assertEquals(header.size(), r.size(), r.toString());
            for (String field : r) {
                assertFalse(!field.isEmpty() && "=+-@\t\r".indexOf(field.charAt(0)) >= 0 && !field.matches("-?[0-9.]+"),
                        "a formula reaches the spreadsheet: " + field);
            }
        }
        assertTrue(records.stream().anyMatch(r -> r.get(0).endsWith("new\nline.png")), "a newline in a name stays in its field");
    }

    // ---- training faults ----------------------------------------------------------------------------

    @Test
    void resumeThatFindsNothingOrOtherOptionsAndALossLogThatCannotBeWrittenAreErrorsBeforeTraining() throws Exception {
        Path data = cifarLike(dir.resolve("cifar-10-batches-bin"), 64);
        // --loss-log into a folder that cannot exist (a file is in its place): after the first batch, before
        Path blocker = Files.writeString(dir.resolve("notes.txt"), "a file");
        Path out = dir.resolve("m.zip");
        refused(1, blocker, trainArgs(data, out, "--loss-log", blocker.resolve("loss.csv").toString()), "--loss-log: cannot write in");
        // --resume with an empty checkpoint folder: a silent fresh start before
        Path empty = Files.createDirectories(dir.resolve("empty-run"));
        assertFailure(1, CliRun.of(trainArgs(data, out, "--checkpoint-dir", empty.toString(), "--resume")),
                empty.resolve("checkpoint.zip"), "nothing to resume", "holds no checkpoint");
        assertFalse(Files.exists(out));

        // a killed writer's checkpoint-sized temporary file is removed by the next run
        Path run = Files.createDirectories(dir.resolve("run"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.write(run.resolve(".checkpoint.zip." + gone.pid() + ".5f3a.tmp"), new byte[1 << 20]);
        CliRun first = CliRun.of(trainArgs(data, out, "--checkpoint-dir", run.toString()));
        CASES.incrementAndGet();
        assertEquals(0, first.exit(), first.err());
        assertFalse(Files.exists(stale), "the killed writer's temporary file is still there");
        ERRORS.incrementAndGet();

        // --resume --lr 0.5: the checkpoint's rate silently kept before
        List<String> other = new ArrayList<>(List.of(trainArgs(data, out, "--checkpoint-dir", run.toString(), "--resume")));
        other.set(other.indexOf("--epochs") + 1, "2");
        other.addAll(List.of("--lr", "0.5"));
        Set<Path> before = files();
        assertFailure(1, CliRun.of(other.toArray(String[]::new)), run.resolve("checkpoint.zip"), "learning rate 0.01 there, 0.5 here");
        assertNothingLeft(before);
    }

    @Test
    void aCheckpointDiskThatFillsUpAfterTheLastEpochCostsNotTheModelButExitsWithAnError() throws Exception {
        Path data = cifarLike(dir.resolve("cifar-10-batches-bin"), 64);
        Path run = Files.createDirectories(dir.resolve("run"));
        boolean tmpfs = mount(run);
        System.out.println("checkpoint disk: " + (tmpfs ? "a 64 KB tmpfs, full after the last epoch" : "folders in the way (not root)"));
        try {
            if (!tmpfs) {
                // not root: folders stand where the checkpoint and the best model go, which fails the same writes
                Files.createDirectories(run.resolve("checkpoint.zip").resolve("in-the-way"));
                Files.createDirectories(run.resolve("best-model.zip").resolve("in-the-way"));
            }
            Path out = dir.resolve("m.zip");
            CliRun r = CliRun.of(trainArgs(data, out, "--checkpoint-dir", run.toString()));
            assertFailure(1, r, run.resolve(tmpfs ? "best-model.zip" : "checkpoint.zip"), tmpfs ? "No space left on device" : "it is a folder",
                    "the trained model was saved to " + out);
            JsonNode json = JSON.readTree(r.out());
            assertTrue(json.get("checkpointProblem").asText().contains("cannot write the checkpoint in " + run), json.toString());
            assertEquals(1, json.get("epochs").size());
            assertNotNull(ModelFiles.load(out).network(), "the finished training is in --out");
        } finally {
            if (tmpfs) {
                new ProcessBuilder("umount", run.toString()).start().waitFor();
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private String[] train(Path data) {
        return new String[] {"train", "--data", data.toString(), "--config", "A", "--width", "0.0625", "--epochs", "1",
                "--out", dir.resolve("trained.zip").toString()};
    }

    private static String[] trainArgs(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--config", "A", "--width", "0.0625",
                "--epochs", "1", "--batch", "16", "--lr-schedule", "cosine", "--val-fraction", "0.25", "--seed", "3",
                "--out", out.toString(), "--json"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** A CIFAR-10 batch of {@code n} records of 10 classes (learnable brightness), as an extracted folder. */
    private static Path cifarLike(Path folder, int n) throws IOException {
        Files.createDirectories(folder);
        byte[] batch = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            batch[i * 3073] = (byte) (i % 10);
            java.util.Arrays.fill(batch, i * 3073 + 1, (i + 1) * 3073, (byte) (i % 10 * 20));
        }
        Files.write(folder.resolve("data_batch_1.bin"), batch);
        return folder;
    }

    /** A class-per-folder tree of small PNGs for cat, dog and fox (the hostile model's classes). */
    private static Path pets(Path folder) throws IOException {
        for (String c : List.of("cat", "dog", "fox")) {
            for (int i = 0; i < 4; i++) {
                HostileData.png(folder.resolve(c).resolve(i + ".png"));
            }
        }
        return folder;
    }

    private Path savedModel(List<String> labels) throws IOException {
        Path file = dir.resolve("model-" + labels.size() + ".zip");
        ModelFiles.save(VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(labels.size()).head(Head.cifar()).widthMultiplier(0.0625)
                .buildNetwork(), file, new ModelInfo("vgg11", new int[] {3, 32, 32}, labels, Preprocessing.unitScale()));
        return file;
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (CSVParser p = CSVParser.parse(file, java.nio.charset.StandardCharsets.UTF_8, CSVFormat.DEFAULT)) {
            return p.getRecords();
        }
    }

    /** A 64 KB tmpfs at {@code folder}, if this process may mount one (root, as in CI). */
    private static boolean mount(Path folder) throws Exception {
        return new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.toString()).redirectErrorStream(true)
                .start().waitFor() == 0;
    }

    /** Every path under the test's folder. */
    private Set<Path> files() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.collect(Collectors.toSet());
        }
    }

    /** Nothing new under the test's folder, the dataset cache included (whose own empty folders may appear): no file, no byte. */
    private void assertNothingLeft(Set<Path> before) throws IOException {
        Set<Path> now = files();
        now.removeAll(before);
        now.removeIf(p -> p.startsWith(dir.resolve("cache")) && Files.isDirectory(p) && isEmpty(p));
        assertEquals(Set.of(), now, "left behind");
    }

    private static boolean isEmpty(Path folder) {
        try (Stream<Path> in = Files.list(folder)) {
            return in.findAny().isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Runs the command line: exit {@code exit}, and stderr is exactly one line, "vgg COMMAND: ..."
     * naming {@code file} (when not null) and every part; nothing left behind.
     */
    private CliRun refused(int exit, Path file, String[] args, String... parts) throws IOException {
        Set<Path> before = files();
        CliRun run = CliRun.of(args);
        assertEquals(1, run.err().strip().lines().count(), "one line on stderr: " + run.err());
        assertFailure(exit, run, file, parts);
        assertEquals("", run.out());
        assertNothingLeft(before);
        return run;
    }

    /** Exit {@code exit}; stderr's last line names {@code file} and every part, once, with no stack trace. */
    private static void assertFailure(int exit, CliRun run, Path file, String... parts) {
        CASES.incrementAndGet();
        assertEquals(exit, run.exit(), "exit status; stderr: " + run.err());
        List<String> lines = run.err().strip().lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("vgg "), last);
        if (file != null) {
            assertTrue(last.contains(file.toString()), "stderr should name " + file + ": " + last);
        }
        for (String p : parts) {
            assertTrue(last.contains(p), "stderr should say '" + p + "': " + last);
        }
        for (String l : lines) {
            assertFalse(l.startsWith("\tat ") || l.contains("Exception in thread") || l.startsWith("Caused by"), "a stack trace: " + run.err());
        }
        assertEquals(1, lines.stream().filter(l -> l.contains(parts.length > 0 ? parts[0] : last)).count(), "said once: " + run.err());
        ERRORS.incrementAndGet();
    }
}
