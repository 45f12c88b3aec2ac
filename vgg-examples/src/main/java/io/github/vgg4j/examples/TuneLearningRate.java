package io.github.vgg4j.examples;

import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Range;
import io.github.vgg4j.arbiter.Search;
import io.github.vgg4j.arbiter.SearchListener;
import io.github.vgg4j.arbiter.SearchResult;
import io.github.vgg4j.arbiter.SearchSpace;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.cli.report.TuneReport;

import java.nio.file.Path;

/**
 * Which learning rate and momentum train a narrow VGG11 with batch norm best on Fashion-MNIST?
 * Eight random candidates, lr log-uniform in [1e-4, 1e-1] and momentum uniform in [0.5, 0.99],
 * three epochs each on 2,000 training images, scored on 1,200 held-out ones; candidates below the
 * median after an epoch stop there. Run it again with the same folder and it continues.
 * IDX_FOLDER: Debian's dataset-fashion-mnist by default.
 *
 * <pre>./vgg example TuneLearningRate [OUTPUT_FOLDER] [IDX_FOLDER]</pre>
 */
public final class TuneLearningRate {

    private TuneLearningRate() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "tune-learning-rate");
        var fashion = DataSources.open(args.length > 1 ? Path.of(args[1]) : Idx.locateFashionMnist(), null);

        var space = SearchSpace.vgg(VGGBuilder.vgg11().batchNorm(true).head(Head.cifar()).widthMultiplier(0.25))
                .learningRate(Range.logUniform(1e-4, 1e-1))
                .momentum(Range.uniform(0.5, 0.99));
        SearchResult result = Search.random(space)
                .candidates(8)
                .epochs(3)
                .output(out)
                .listener(new SearchListener() {
                    @Override
                    public void candidateFinished(CandidateResult c, boolean newBest) {
                        // candidate 1 is index 0 in results.csv
                        System.out.printf("candidate %d  %s  %s  %.4f  %.0fs%s%n", TuneReport.number(c.index()),
                                c.hyperparameters(), c.status().key(), c.score(), c.seconds(), newBest ? "  <- best so far" : "");
                    }
                })
                .run(TrainingData.from(fashion).limitTrain(2000).validationFraction(0.02).batchSize(64));

        CandidateResult best = result.best().orElseThrow();
        System.out.printf("best: %s, validation accuracy %.4f; model in %s, table in %s%n", best.hyperparameters(),
                best.score(), result.bestModel(), result.resultsCsv());
        TuneReport.scoreVsLearningRate(result, out.resolve("score-vs-lr.png"));
    }
}
