package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.RawImage;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** {@code predictions.png}: a few examples of each class with the model's answer, right ones framed green, wrong red. */
public final class SamplePredictions {

    private SamplePredictions() {
    }

    /**
     * @param indices the examples to draw from (e.g. the test set); up to {@code perClass} of each class are shown
     */
    public static Path write(Path png, String title, Model model, ImageDataset data, int[] indices, Fit fit,
                             Preprocessing preprocessing, int perClass) throws IOException {
        List<String> labels = data.labels();
        Map<Integer, Integer> taken = new HashMap<>();
        List<Integer> chosen = new ArrayList<>();
        for (int i : indices) {
            int c = data.label(i);
            if (taken.merge(c, 1, Integer::sum) <= perClass) {
                chosen.add(i);
            }
        }
        chosen.sort((a, b) -> Integer.compare(data.label(a), data.label(b)));
        int[] order = chosen.stream().mapToInt(Integer::intValue).toArray();
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        try (ImageBatches batches = ImageBatches.builder(data).indices(order).batchSize(64).fit(fit).preprocessing(preprocessing)
                .workers(1).build()) {
            Map<String, Integer> predicted = new HashMap<>();
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                INDArray p = Evaluator.predict(model, ds.getFeatures());
                int[] best = p.argMax(1).toIntVector();
                for (int r = 0; r < best.length; r++) {
                    predicted.put((String) ds.getExampleMetaData().get(r), best[r]);
                }
            }
            for (int i : order) {
                Integer p = predicted.get(data.id(i));
                if (p == null) {
                    continue; // skipped (unreadable): reported by the iterator
                }
                RawImage img;
                try {
                    img = data.read(i, fit, new SplittableRandom(0));
                } catch (ImageDataset.BadImageException e) {
                    continue;
                }
                int actual = data.label(i);
                String caption = p == actual ? labels.get(p) : labels.get(p) + " (" + labels.get(actual) + ")";
                tiles.add(new ImageGrid.Tile(ImageGrid.toImage(img), caption, p == actual));
            }
        }
        int columns = Math.min(10, Math.max(4, perClass * Math.min(labels.size(), 10) / Math.max(1, perClass)));
        ImageGrid.write(png, title + ": predicted (actual), green right, red wrong", tiles, columns, 96);
        return png;
    }
}
