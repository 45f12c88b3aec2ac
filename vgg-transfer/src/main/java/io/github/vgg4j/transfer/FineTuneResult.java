package io.github.vgg4j.transfer;

import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.datavec.SkippedFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FineTuner#fit} did: the fine-tuned model (save it with {@code model().save(file)}),
 * the epochs of each stage, how the features were obtained, and the evaluation on the data's test
 * set and on the validation split (null where the data has none).
 */
public record FineTuneResult(TransferModel model, List<EpochResult> headEpochs, List<EpochResult> unfrozenEpochs,
                             Featurization featurization, EvaluationReport test, EvaluationReport validation,
                             int trainExamples, List<SkippedFiles.Entry> skipped) {

    public FineTuneResult {
        headEpochs = List.copyOf(headEpochs);
        unfrozenEpochs = List.copyOf(unfrozenEpochs);
        skipped = List.copyOf(skipped);
    }

    /**
     * The features of the frozen part: whether they came from the cache, how long computing (or
     * finding) them took, the cache entry, and the feature shape per example.
     */
    public record Featurization(boolean cacheHit, double seconds, Path file, int examples, long[] featureShape) {
    }
}
