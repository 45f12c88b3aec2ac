package io.github.vgg4j.cli;

import io.github.vgg4j.datavec.TrainingData;
import picocli.CommandLine.Option;

/** Mixin: how much of the training set trains (--limit-train, --train-fraction). */
final class LimitOptions {

    @Option(names = "--limit-train", paramLabel = "N", defaultValue = "0", converter = Converters.LimitTrain.class,
            description = "Train on the first N training examples after a seeded shuffle.")
    int limitTrain;

    @Option(names = "--train-fraction", paramLabel = "F", defaultValue = "1", converter = Converters.TrainFraction.class,
            description = "Train on a stratified fraction of the training set (e.g. 0.1).")
    double trainFraction;

    TrainingData.Builder applyTo(TrainingData.Builder data) {
        return data.limitTrain(limitTrain).trainFraction(trainFraction);
    }
}
