package io.github.vgg4j.examples;

import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Range;
import io.github.vgg4j.arbiter.Search;
import io.github.vgg4j.arbiter.SearchListener;
import io.github.vgg4j.arbiter.SearchResult;
import io.github.vgg4j.arbiter.SearchSpace;
import io.github.vgg4j.cli.report.TuneReport;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.Pretrained;

import java.nio.file.Path;

/**
 * The cheap search: learning rate and momentum of a new head on a pretrained VGG. The frozen
 * layers (through {@code block5_pool}) see the images once; each of the 8 candidates then trains
 * only the head, 5 epochs on the cached features.
 *
 * <pre>./vgg example TuneHeadLearningRate BASE DATA OUTPUT_FOLDER</pre>
 * BASE: zoo:vgg16, a model .zip, a Keras .h5 or a torchvision .safetensors.
 */
public final class TuneHeadLearningRate {

    private TuneHeadLearningRate() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TuneHeadLearningRate BASE DATA OUTPUT_FOLDER");
            System.exit(2);
        }
        var space = SearchSpace.fineTune(Pretrained.open(args[0]))
                .freezeThrough("block5_pool")
                .learningRate(Range.logUniform(1e-4, 1e-1))
                .momentum(Range.uniform(0.5, 0.99));
        Path out = Path.of(args[2]);
        long t0 = System.nanoTime();
        SearchResult result = Search.random(space)
                .candidates(8)
                .epochs(5)
                .output(out)
                .featureCache(out.resolve("features"))
                .listener(new SearchListener() {
                    @Override
                    public void candidateFinished(CandidateResult c, boolean newBest) {
                        System.out.printf("candidate %d  %s  %s  %.4f  %.1fs%n", TuneReport.number(c.index()),
                                c.hyperparameters(), c.status().key(), c.score(), c.seconds());
                    }
                })
                .run(TrainingData.from(DataSources.open(Path.of(args[1]), null)).limitTrain(10000).validationFraction(0.02));
        System.out.printf("best: %s; candidates %.1f s, in all (with featurizing) %.1f s%n",
                result.best().orElseThrow().hyperparameters(), result.seconds(), (System.nanoTime() - t0) / 1e9);
    }
}
