package io.github.vgg4j.core.io;

import io.github.vgg4j.core.io.HostileModels.ArrayBytes;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.example.hostile.SerializedTripwire;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model files made by an attacker (issue 16), each refused with one IOException that names the
 * file and what is wrong, before anything of the declared size is allocated and before any class
 * the file names is loaded: by {@code load}, {@code readInfo} and {@code summarize} alike.
 */
class HostileModelFilesTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static Map<String, byte[]> model;
    private static ArrayBytes coefficients;

    @BeforeAll
    static void aRealModel() throws IOException {
        model = HostileModels.entries(shared);
        coefficients = ArrayBytes.parse(model.get("coefficients.bin"));
    }

    // ---- ND4J arrays --------------------------------------------------------------------------------

    @Test
    void aDataLengthOf2To62IsRefusedBeforeAnythingIsAllocated() throws IOException {
        // The file of the issue: Nd4j.read allocated by the header and wrote the file's floats past the buffer (SIGSEGV).
        assertRefused(coefficients(coefficients.dataLength(1L << 62)), "coefficients.bin", "declares 4611686018427387904 values");
        // ... also with a shape that agrees: then the configuration's parameter count refuses it
        long n = coefficients.shapeInfo()[1]; // a rank-1 array [n]
        long[] info = coefficients.shapeInfo().clone();
        info[1] = 1L << 62;
        assertRefused(coefficients(coefficients.shapeInfo(info).dataLength(1L << 62)), "coefficients.bin",
                "holds 4611686018427387904 values; the model's configuration has " + n);
    }

    @Test
    void aShapeInformationLengthOf2To40IsRefused() throws IOException {
        // The other file of the issue: Nd4j.read allocated 2^40 longs of shape information (23 GB, then killed).
        assertRefused(coefficients(coefficients.shapeLength(1L << 40)), "coefficients.bin",
                "declares 1099511627776 values of shape information; an array of rank 0 to 32 has 4 to 68");
    }

    @Test
    void everyOtherDeclaredValueIsChecked() throws IOException {
        long n = coefficients.shapeInfo()[1];
        assertRefused(coefficients(coefficients.shapeInfo(2, 1L << 32, 1L << 32, 1, 1, 0, 1, 'c').dataLength(0)),
                "coefficients.bin", "whose size overflows");
        assertRefused(coefficients(coefficients.shapeInfo(1, -n, 1, 0, 1, 'c')), "coefficients.bin", "negative dimension");
        assertRefused(coefficients(coefficients.shapeInfo(3, 1, n, 1, 1, 0, 1, 'c')), "coefficients.bin", "rank 3 with 8 values");
        long[] rank40 = new long[84];
        rank40[0] = 40;
        assertRefused(coefficients(coefficients.shapeInfo(rank40)), "coefficients.bin", "84 values of shape information");
        assertRefused(coefficients(coefficients.shapeInfo(1, n, 1, 0, 1, 'x')), "coefficients.bin", "array order 120");
        assertRefused(coefficients(coefficients.dataType("UTF8")), "coefficients.bin", "holds UTF8 values");
        assertRefused(coefficients(coefficients.dataType("COMPRESSED")), "coefficients.bin", "holds COMPRESSED values");
        assertRefused(coefficients(coefficients.dataType("NOT_A_TYPE")), "coefficients.bin", "data type 'NOT_A_TYPE'");
        assertRefused(coefficients(coefficients.dataMode("EVIL")), "coefficients.bin", "allocation mode 'EVIL'");
        assertRefused(coefficients(coefficients.dataMode("X".repeat(60_000))), "coefficients.bin", "a name of 60000 bytes");
        assertRefused(coefficients(coefficients.dataLength(-5)), "coefficients.bin", "negative data length");
        byte[] v = coefficients.values();
        assertRefused(coefficients(coefficients.values(Arrays.copyOf(v, v.length / 2))), "coefficients.bin", "but the entry has");
        assertRefused(coefficients(coefficients.values(Arrays.copyOf(v, v.length + 7))), "coefficients.bin", "but the entry has");
        byte[] header = Arrays.copyOf(model.get("coefficients.bin"), 30);
        assertRefused(HostileModels.with(model, "coefficients.bin", header), "coefficients.bin", "ends inside its header");
        // a consistent array of the wrong size for the configuration
        assertRefused(coefficients(coefficients.shapeInfo(1, n - 1, 1, 0, 1, 'c').dataLength(n - 1)
                .values(Arrays.copyOf(v, v.length - 4))), "coefficients.bin", "holds " + (n - 1) + " values; the model's configuration has " + n);
        // the updater state is checked against the updater's size
        ArrayBytes state = ArrayBytes.parse(model.get("updaterState.bin"));
        long s = state.dataLength();
        assertRefused(HostileModels.with(model, "updaterState.bin", state.shapeInfo(state.shapeInfo()[0] == 1 ? new long[] {1, s - 1, 1, 0, 1, 'c'} : new long[] {2, 1, s - 1, s - 1, 1, 0, 1, 'c'}).dataLength(s - 1)
                .values(Arrays.copyOf(state.values(), state.values().length - 4)).bytes()), "updaterState.bin",
                "holds " + (s - 1) + " values; the configuration's updater keeps " + s);
    }

    @Test
    void theLegacyEncodingsThatNd4jStillReadsAreRead() throws IOException {
        // int lengths (ND4J's three old allocation modes) and INT shape information, as old DL4J files have
        long n = coefficients.shapeInfo()[1];
        ArrayBytes legacy = new ArrayBytes("JAVACPP", coefficients.shapeLength(), "INT", coefficients.shapeInfo(), "HEAP", n, "FLOAT",
                coefficients.values());
        Path file = HostileModels.write(dir.resolve("legacy.zip"), HostileModels.with(model, "coefficients.bin", legacy.bytes()));
        Path reference = HostileModels.write(dir.resolve("reference.zip"), model);
        assertEquals(ModelFiles.load(reference).network().params(), ModelFiles.load(file).network().params());
    }

    // ---- classes ------------------------------------------------------------------------------------

    @Test
    void aTypeIdSpelledWithAJsonEscapeIsStillATypeId() throws IOException {
        // "@\u0063lass" is "@class" to Jackson; the old check's regex did not see it.
        assertClassRefused(HostileModels.firstActivation(model, "\"@\\u0063lass\" : \"" + ClassTripwire.TRIPWIRE + "\""), "\"@class\"");
        assertClassRefused(HostileModels.firstActivation(model, "\"@CLASS\" : \"" + ClassTripwire.TRIPWIRE + "\""), "\"@CLASS\"");
    }

    @Test
    void aDistributionsTypeIdIsChecked() throws IOException {
        // DL4J's Distribution names its class under "type", not "@class"
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().weightInit(new NormalDistribution(0, 0.01)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build()).layer(new OutputLayer.Builder().nIn(3).nOut(2).build()).build());
        net.init();
        Path file = dir.resolve("dist.zip");
        ModelFiles.save(net, file, null);
        Map<String, byte[]> entries = HostileModels.read(file);
        String json = HostileModels.configuration(entries).replace("org.deeplearning4j.nn.conf.distribution.NormalDistribution",
                ClassTripwire.TRIPWIRE);
        assertClassRefused(entries, json.getBytes(StandardCharsets.UTF_8), "\"type\"");
    }

    @Test
    void aTypeIdInAnArrayWrapperIsStoppedWhereJacksonResolvesIt() throws IOException {
        // Jackson also reads a type id from ["class", {...}] where it expects an object with "@class":
        // no key to look for, so the gate in DL4J's type factory refuses the name before Class.forName.
        String json = HostileModels.configuration(model).replaceFirst(
                "\"activationFn\" : \\{\\s*\"@class\" : \"org\\.nd4j\\.linalg\\.activations\\.impl\\.\\w+\"\\s*}",
                "\"activationFn\" : [ \"" + ClassTripwire.TRIPWIRE + "\", { } ]");
        assertNotEquals(HostileModels.configuration(model), json);
        assertClassRefused(json.getBytes(StandardCharsets.UTF_8), "a type id");
    }

    @Test
    void duplicateKeysGenericsArraysAndShadedClassesAreRefused() throws IOException {
        String relu = "\"@class\" : \"org.nd4j.linalg.activations.impl.ActivationReLU\"";
        assertClassRefused(HostileModels.firstActivation(model, relu + ", \"@class\" : \"" + ClassTripwire.TRIPWIRE + "\""), "twice");
        assertClassRefused(HostileModels.firstActivation(model, "\"@class\" : \"" + ClassTripwire.TRIPWIRE + "\", " + relu),
                ClassTripwire.TRIPWIRE);
        assertClassRefused(HostileModels.firstActivation(model, "\"@class\" : \"org.nd4j.linalg.activations.impl.ActivationReLU<"
                + ClassTripwire.TRIPWIRE + ">\""), "ActivationReLU<");
        assertClassRefused(HostileModels.firstActivation(model, "\"@class\" : \"[L" + ClassTripwire.TRIPWIRE + ";\""), "[L");
        assertClassRefused(HostileModels.firstActivation(model, "\"@class\" : \"org.nd4j.shade.jackson.databind.ObjectMapper\""),
                "org.nd4j.shade.");
        assertClassRefused(HostileModels.firstActivation(model, "\"@class\" : 5"), "not a class name");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertClassRefused(HostileModels.configuration(model).replaceFirst("\"variables\" : \\[ ]", "\"variables\" : " + deep)
                .getBytes(StandardCharsets.UTF_8), "nests deeper than 100");
    }

    @Test
    void allowedPrefixesCanBeExtendedForTrustedPackages() throws IOException {
        // the escape hatch still works (and a class outside it is still refused)
        Path file = HostileModels.write(dir.resolve("m.zip"), model);
        System.setProperty(ModelFileSafety.ALLOWED_PROPERTY, "com.example.");
        try {
            assertNotNull(ModelFiles.load(file));
            assertFalse(ModelFileSafety.allowed(ClassTripwire.TRIPWIRE, ModelFileSafety.allowedPrefixes()));
            assertTrue(ModelFileSafety.allowed("com.example.MyLayer", ModelFileSafety.allowedPrefixes()));
        } finally {
            System.clearProperty(ModelFileSafety.ALLOWED_PROPERTY);
        }
    }

    // ---- the zip ------------------------------------------------------------------------------------

    @Test
    void aHarmlessCentralDirectoryCannotHideAnotherLocalConfiguration() throws IOException {
        // The zip: the central directory lists a harmless configuration.json; a later local
        // entry of the same name (what DL4J's streaming reader keeps) names the class.
        byte[] evil = HostileModels.firstActivation(model, "\"@class\" : \"" + ClassTripwire.TRIPWIRE + "\"");
        CraftedZip zip = new CraftedZip();
        model.forEach(zip::entry);
        zip.entry("configuration.json", evil, false);
        assertStructureRefused(zip.bytes(), "appears twice");
        // ... and the other way round: the hidden one first
        CraftedZip first = new CraftedZip().entry("configuration.json", evil, false);
        model.forEach(first::entry);
        assertStructureRefused(first.bytes(), "configuration.json");
        // a local entry the central directory does not list at all
        CraftedZip extra = new CraftedZip();
        model.forEach(extra::entry);
        extra.entry("notes.json", "{}".getBytes(StandardCharsets.UTF_8), false);
        assertStructureRefused(extra.bytes(), "is not in its central directory");
    }

    @Test
    void duplicateNamesFoldersAndOutOfOrderEntriesAreRefused() throws IOException {
        CraftedZip twice = new CraftedZip();
        model.forEach(twice::entry);
        twice.entry("configuration.json", model.get("configuration.json"));
        assertStructureRefused(twice.bytes(), "two entries named 'configuration.json'");

        CraftedZip folder = new CraftedZip().entry("objects/", new byte[0]);
        model.forEach(folder::entry);
        assertStructureRefused(folder.bytes(), "is a folder");

        Map<String, byte[]> reordered = new LinkedHashMap<>();
        reordered.put("coefficients.bin", model.get("coefficients.bin"));
        reordered.putAll(model);
        assertRefused(reordered, "coefficients.bin", "comes before configuration.json");
    }

    @Test
    void anEntryLargerThanItsBudgetIsRefusedBeforeItIsRead() throws IOException {
        // 65 MB of zeros: a 64 KB entry in the zip (a zip bomb in small)
        Map<String, byte[]> bomb = HostileModels.with(model, "junk.txt", new byte[65 << 20]);
        Path file = HostileModels.write(dir.resolve("bomb.zip"), bomb);
        assertTrue(Files.size(file) < 1 << 20);
        IOException e = assertThrows(IOException.class, () -> ModelFiles.load(file));
        assertMessage(e, file, "junk.txt declares 68157440 bytes; at most 67108864");
    }

    @Test
    @Timeout(60)
    void aNamedPipeOrDeviceIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("model.zip");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "skipped: no mkfifo here");
        // opening a FIFO blocks until a writer comes: the loader must not open it
        assertMessage(assertThrows(IOException.class, () -> ModelFiles.load(fifo)), fifo, "not a regular file");
        assertMessage(assertThrows(IOException.class, () -> ModelFiles.readInfo(fifo)), fifo, "not a regular file");
        assertMessage(assertThrows(IOException.class, () -> ModelFiles.summarize(fifo, null)), fifo, "not a regular file");
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertMessage(assertThrows(IOException.class, () -> ModelFiles.load(zero)), zero, "not a regular file");
        }
        assertMessage(assertThrows(IOException.class, () -> ModelFiles.load(dir)), dir, "is a folder");
    }

    @Test
    void javaSerialisedEntriesAreNeverDeserialised() throws IOException {
        // DL4J's ModelSerializer reads preprocessor.bin with ObjectInputStream: any gadget on the
        // classpath runs. vgg4j skips the entry unread.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(new SerializedTripwire());
        }
        Path file = HostileModels.write(dir.resolve("gadget.zip"), HostileModels.with(model, "preprocessor.bin", b.toByteArray()));
        System.clearProperty(SerializedTripwire.MARK);
        assertNotNull(ModelFiles.load(file).network());
        assertNotNull(ModelFiles.readInfo(file));
        assertNull(System.getProperty(SerializedTripwire.MARK), "vgg4j deserialised preprocessor.bin");
        // the entry is live: DL4J's own loader runs it
        assertThrows(Exception.class, () -> ModelSerializer.restoreMultiLayerNetwork(file.toFile()));
        assertEquals("true", System.getProperty(SerializedTripwire.MARK), "the test's gadget did not work on ModelSerializer");
        System.clearProperty(SerializedTripwire.MARK);
    }

    @Test
    void dl4jsOwnZipsStillLoadWithTheirUpdaterState() throws IOException {
        MultiLayerNetwork net = HostileModels.tinyNet();
        net.fit(Nd4j.rand(new int[] {2, 3, 32, 32}), Nd4j.eye(3).getRows(0, 1));
        Path file = dir.resolve("dl4j.zip");
        ModelSerializer.writeModel(net, file.toFile(), true); // deflated, data descriptors
        MultiLayerNetwork back = ModelFiles.load(file).multiLayerNetwork();
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static Map<String, byte[]> coefficients(ArrayBytes a) throws IOException {
        return HostileModels.with(model, "coefficients.bin", a.bytes());
    }

    /** Refused by load (naming the file, the entry and {@code what}); the other readers open the same file without loading it. */
    private void assertRefused(Map<String, byte[]> entries, String entry, String what) throws IOException {
        Path file = HostileModels.write(Files.createTempFile(dir, "hostile", ".zip"), entries);
        IOException e = assertThrows(IOException.class, () -> ModelFiles.load(file));
        assertMessage(e, file, what);
        assertTrue(e.getMessage().contains(entry), e.getMessage());
    }

    private void assertClassRefused(byte[] configuration, String what) throws IOException {
        assertClassRefused(model, configuration, what);
    }

    /** Every reader refuses the file, names the file and {@code what}, and nothing loaded or initialised the class. */
    private void assertClassRefused(Map<String, byte[]> entries, byte[] configuration, String what) throws IOException {
        Path file = HostileModels.write(Files.createTempFile(dir, "hostile", ".zip"),
                HostileModels.with(entries, "configuration.json", configuration));
        List<Callable<?>> readers = List.of(() -> ModelFiles.load(file), () -> ModelFiles.load(file, false),
                () -> ModelFiles.summarize(file, new int[] {3, 32, 32}));
        for (Callable<?> reader : readers) {
            ClassTripwire.Result<IOException> r = ClassTripwire.run(IOException.class, reader);
            assertMessage(r.thrown(), file, what);
            assertFalse(r.requested().contains(ClassTripwire.TRIPWIRE), "the class was asked for: " + r.requested());
        }
        assertFalse(ClassTripwire.initialised(ClassTripwire.TRIPWIRE), "the file's class was initialised");
        assertNull(System.getProperty(ClassTripwire.MARK));
    }

    private void assertStructureRefused(byte[] zip, String what) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "crafted", ".zip"), zip);
        for (Function<Path, Callable<?>> reader : List.<Function<Path, Callable<?>>>of(f -> () -> ModelFiles.load(f),
                f -> () -> ModelFiles.readInfo(f), f -> () -> ModelFiles.summarize(f, new int[] {3, 32, 32}))) {
            ClassTripwire.Result<IOException> r = ClassTripwire.run(IOException.class, reader.apply(file));
            assertMessage(r.thrown(), file, what);
        }
        assertFalse(ClassTripwire.initialised(ClassTripwire.TRIPWIRE), "the file's class was initialised");
    }

    private static void assertMessage(Throwable e, Path file, String what) {
        String m = e.getMessage();
        assertTrue(m != null && m.contains(file.toString()) && m.contains(what), "expected the file and '" + what + "' in: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
    }
}
