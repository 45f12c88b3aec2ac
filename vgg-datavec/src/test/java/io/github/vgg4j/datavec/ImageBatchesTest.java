package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.core.io.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ImageBatchesTest {
    @TempDir
    Path dir;

    private ImageDataset cifar(int records) throws Exception {
        int[] labels = new int[records];
        for (int i = 0; i < records; i++) {
            labels[i] = i % 10;
        }
        Path f = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(f);
        Files.write(f.resolve("data_batch_1.bin"), TestData.cifarBatch(labels, 0));
        return Cifar10.open(f).train();
    }

    private static List<DataSet> epoch(ImageBatches it) {
        List<DataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void batchesAreNchwOneHotAndNormalisedExactly() throws Exception {
        ImageDataset data = cifar(25);
        Preprocessing p = Preprocessing.cifar10();
        try (ImageBatches it = ImageBatches.builder(data).batchSize(10).fit(Fit.eval(3, 32, 32, 1)).preprocessing(p).build()) {
            List<DataSet> batches = epoch(it);
            assertEquals(3, batches.size());
            assertArrayEquals(new long[] {10, 3, 32, 32}, batches.get(0).getFeatures().shape());
            assertArrayEquals(new long[] {5, 3, 32, 32}, batches.get(2).getFeatures().shape());
            INDArray y = batches.get(1).getLabels();
            assertEquals(1.0, y.getDouble(3, 13 % 10), 0);
            assertEquals(1.0, y.sumNumber().doubleValue() / 10, 0);
            // example 13, channel 1 (green), row 4, column 7
            double expected = (TestData.cifarPixel(13, 1, 4, 7) / 255.0 - 0.4822) / 0.2435;
            assertEquals(expected, batches.get(1).getFeatures().getDouble(3, 1, 4, 7), 1e-5);
            assertEquals("data_batch_1.bin#13", batches.get(1).getExampleMetaData().get(3));
        }
    }

    @Test
    void bgrPreprocessingSwapsChannels() throws Exception {
        ImageDataset data = cifar(2);
        try (ImageBatches it = ImageBatches.builder(data).batchSize(2).fit(Fit.eval(3, 32, 32, 1))
                .preprocessing(Preprocessing.caffeImagenet()).build()) {
            INDArray x = it.next().getFeatures();
            // channel 0 of the network input is blue, minus the blue mean 103.939
            assertEquals(TestData.cifarPixel(1, 2, 5, 6) - 103.939, x.getDouble(1, 0, 5, 6), 1e-3);
            assertEquals(TestData.cifarPixel(1, 0, 5, 6) - 123.68, x.getDouble(1, 2, 5, 6), 1e-3);
        }
    }

    @Test
    void theSameSeedGivesTheSameEpochsAndEachEpochDiffers() throws Exception {
        ImageDataset data = cifar(40);
        List<List<DataSet>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (ImageBatches it = ImageBatches.builder(data).batchSize(8).fit(Fit.eval(3, 32, 32, 1))
                    .augmentation(Augmentation.cifar()).preprocessing(Preprocessing.unitScale()).shuffle(true).seed(5).workers(3).build()) {
                List<DataSet> both = new ArrayList<>(epoch(it));
                it.reset();
                both.addAll(epoch(it));
                runs.add(both);
            }
        }
        assertEquals(runs.get(0).size(), runs.get(1).size());
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertEquals(runs.get(0).get(i).getFeatures(), runs.get(1).get(i).getFeatures(), "batch " + i);
            assertEquals(runs.get(0).get(i).getExampleMetaData(), runs.get(1).get(i).getExampleMetaData());
        }
        assertNotEquals(runs.get(0).get(0).getExampleMetaData(), runs.get(0).get(5).getExampleMetaData(),
                "epoch 1 has another order than epoch 0");
        // every example exactly once per epoch
        List<Object> ids = new ArrayList<>();
        runs.get(0).subList(0, 5).forEach(d -> ids.addAll(d.getExampleMetaData()));
        assertEquals(40, ids.stream().distinct().count());
    }

    @Test
    void startEpochReproducesAnEpochForResume() throws Exception {
        ImageDataset data = cifar(16);
        try (ImageBatches a = ImageBatches.builder(data).batchSize(4).fit(Fit.eval(3, 32, 32, 1))
                .augmentation(Augmentation.cifar()).preprocessing(Preprocessing.unitScale()).shuffle(true).build();
             ImageBatches b = ImageBatches.builder(data).batchSize(4).fit(Fit.eval(3, 32, 32, 1))
                .augmentation(Augmentation.cifar()).preprocessing(Preprocessing.unitScale()).shuffle(true).build()) {
            epoch(a);
            a.reset();
            epoch(a);
            a.reset();
            b.startEpoch(2);
            assertEquals(a.next().getFeatures(), b.next().getFeatures());
        }
    }

    @Test
    void badImagesAreSkippedAndReportedAndABatchOfOnlyBadOnesDisappears() throws Exception {
        for (int i = 0; i < 3; i++) {
            TestData.jpeg(dir.resolve("cat." + i + ".jpg"), 0x808080, 8);
            TestData.jpeg(dir.resolve("dog." + i + ".jpg"), 0x404040, 8);
        }
        byte[] jpeg = Files.readAllBytes(dir.resolve("cat.0.jpg"));
        Files.write(dir.resolve("cat.1.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length - 40)); // truncated
        Files.write(dir.resolve("cat.2.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length - 40));
        Files.createFile(dir.resolve("dog.9.jpg"));
        ImageFolder folder = ImageFolder.open(dir);
        try (ImageBatches it = ImageBatches.builder(folder).batchSize(2).fit(Fit.eval(3, 8, 8))
                .preprocessing(Preprocessing.unitScale()).build()) {
            List<DataSet> batches = epoch(it);
            // 6 listed images in batches of 2: (cat.0, cat.1) (cat.2, dog.0) (dog.1, dog.2) -> 4 good images
            assertEquals(4, batches.stream().mapToInt(DataSet::numExamples).sum());
            assertEquals(3, it.skipped().count(), it.skipped().toString());
            assertTrue(it.skipped().contains("cat.1.jpg") && it.skipped().contains("dog.9.jpg"));
        }
        try (ImageBatches it = ImageBatches.builder(folder).indices(new int[] {1, 2}).batchSize(2).fit(Fit.eval(3, 8, 8))
                .preprocessing(Preprocessing.unitScale()).build()) {
            assertFalse(it.hasNext(), "a batch whose every image is bad is skipped, not returned empty");
        }
    }

    @Test
    void unlabelledDataHasIdsButNoLabels() throws Exception {
        TestData.jpeg(dir.resolve("12.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("3.jpg"), 0x808080, 8);
        try (ImageBatches it = ImageBatches.builder(ImageFolder.open(dir)).batchSize(5).fit(Fit.eval(3, 8, 8))
                .preprocessing(Preprocessing.unitScale()).build()) {
            DataSet ds = it.next();
            assertNull(ds.getLabels());
            assertEquals(List.of("12", "3"), ds.getExampleMetaData());
        }
    }

    @Test
    void theRecordReaderGivesTheSameExamplesToDataVec() throws Exception {
        ImageDataset data = cifar(12);
        var reader = new DatasetRecordReader(data, null, Fit.eval(3, 32, 32, 1), Augmentation.none(), Preprocessing.cifar10(), false, 1);
        var it = new org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator(reader, 5, 1, 10);
        DataSet viaDataVec = it.next();
        try (ImageBatches batches = ImageBatches.builder(data).batchSize(5).fit(Fit.eval(3, 32, 32, 1))
                .preprocessing(Preprocessing.cifar10()).build()) {
            DataSet ours = batches.next();
            assertEquals(ours.getFeatures(), viaDataVec.getFeatures());
            assertEquals(ours.getLabels(), viaDataVec.getLabels());
        }
        assertEquals(Cifar10.DEFAULT_LABELS, reader.getLabels());

        var fromFile = new DatasetRecordReader(Fit.eval(3, 32, 32, 1), Preprocessing.cifar10());
        fromFile.initialize(new org.datavec.api.split.FileSplit(dir.resolve("cifar-10-batches-bin").toFile()));
        assertEquals(12, new org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator(fromFile, 12, 1, 10).next().numExamples());
    }

    @Test
    void splitsAreStratifiedAndSeeded() throws Exception {
        ImageDataset data = cifar(100);
        Splits.Split s = Splits.stratified(data, Splits.all(data), 0.2, 7);
        assertEquals(80, s.train().length);
        assertEquals(20, s.validation().length);
        int[] valCounts = Splits.classCounts(data, s.validation());
        for (int c : valCounts) {
            assertEquals(2, c);
        }
        assertArrayEquals(s.validation(), Splits.stratified(data, Splits.all(data), 0.2, 7).validation());
        assertFalse(java.util.Arrays.equals(s.validation(), Splits.stratified(data, Splits.all(data), 0.2, 8).validation()));
        int[] tenPercent = Splits.fraction(data, s.train(), 0.1, 1);
        assertEquals(10, tenPercent.length);
        assertEquals(Map.of(), nonMembers(tenPercent, s.train()));
        assertEquals(30, Splits.limit(Splits.all(data), 30, 3).length);
    }

    private static Map<Integer, Integer> nonMembers(int[] subset, int[] of) {
        java.util.Set<Integer> set = new java.util.HashSet<>();
        for (int i : of) {
            set.add(i);
        }
        Map<Integer, Integer> bad = new java.util.HashMap<>();
        for (int i : subset) {
            if (!set.contains(i)) {
                bad.put(i, i);
            }
        }
        return bad;
    }
}
