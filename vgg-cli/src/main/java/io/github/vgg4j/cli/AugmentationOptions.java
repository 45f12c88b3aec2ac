package io.github.vgg4j.cli;

import picocli.CommandLine.Option;

/** Mixin: --augment / --no-augment; on by default when training from scratch, off when fine-tuning. */
final class AugmentationOptions {

    @Option(names = "--augment", negatable = true,
            description = "Training augmentation: random crops and flips (scale jittering for folders). "
                    + "Default: on (train, tune), off (finetune, where it needs --no-featurize).")
    Boolean augment;

    boolean on(boolean byDefault) {
        return augment != null ? augment : byDefault;
    }
}
