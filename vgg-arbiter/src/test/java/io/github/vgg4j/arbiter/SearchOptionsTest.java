package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** Bad ranges and options are refused at once, with the value received and what is expected. */
class SearchOptionsTest {
    @TempDir
    Path dir;

    private static void refused(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
        }
    }

    @Test
    void rangesNameTheirBadBounds() {
        refused(() -> Range.logUniform(0, 0.1), "0 < min < max", "got min 0");
        refused(() -> Range.logUniform(0.1, 0.01), "got min 0.1, max 0.01");
        refused(() -> Range.uniform(0.9, 0.5), "min < max", "got min 0.9, max 0.5");
        refused(() -> Range.of(), "at least one value");
        refused(() -> Range.of(1.0, null), "cannot hold null");
        assertEquals("logUniform(0.0001, 0.1)", Range.logUniform(1e-4, 1e-1).toString());
        assertEquals("logUniform(1e-05, 1000)", Range.logUniform(1e-5, 1e3).toString());
        assertEquals("of(0.0005, 2.5, 100)", Range.of(5e-4, 2.5, 100.0).toString());
        assertTrue(Range.of(0.9).isFixed());
    }

    @Test
    void spacesCheckEveryValueARangeCanReachWithTheBuildersOwnRules() {
        VggSearchSpace s = SearchSpace.vgg(VGGBuilder.vgg11());
        refused(() -> s.momentum(Range.uniform(0.5, 1.2)), "momentum uniform(0.5, 1.2)", "momentum must be in [0, 1), got 1.2");
        refused(() -> s.learningRate(Range.of(0.1, -1.0)), "lr of(0.1, -1)", "learningRate must be a finite number > 0, got -1.0");
        refused(() -> s.dropout(Range.uniform(0.2, 1.0)), "dropout", "[0, 1), got 1.0");
        refused(() -> s.weightDecay(Range.uniform(-1, 0.1)), "weightDecay", ">= 0, got -1.0");
        refused(() -> s.batchSize(Range.of(0, 32)), "batchSize of(0, 32)", "batch size must be >= 1, got 0");
        refused(() -> s.widthMultiplier(Range.uniform(-0.5, 0.5)), "width", "> 0");
        refused(() -> s.learningRate(null), "lr: a range is needed");
        assertTrue(s.ranges().isEmpty(), "nothing refused was kept");
    }

    @Test
    void searchOptionsAreChecked() {
        VggSearchSpace s = SearchSpace.vgg(VGGBuilder.vgg11()).learningRate(Range.logUniform(1e-4, 1e-1));
        refused(() -> Search.grid(s, 1), "at least 2 points", "got 1");
        refused(() -> Search.random(s).candidates(0), "candidates must be >= 1, got 0");
        refused(() -> Search.random(s).epochs(0), "epochs must be >= 1, got 0");
        refused(() -> Search.random(s).maxTime(Duration.ZERO), "positive", "PT0S");
        refused(() -> Search.random(s).earlyStopping(-1), "patience must be >= 0");
        refused(() -> Search.random(s).medianStopping(0, 1), "at least 1 completed candidate");
        refused(() -> Objective.parse("f1"), "unknown objective 'f1'", "accuracy or loss");
    }

    @Test
    void aSearchNeedsAnOutputFolderAndAValidationSplit() throws Exception {
        var bundle = Idx.open(TinyImages.idx(dir.resolve("tiny"), 40, 1));
        VggSearchSpace s = SearchSpace.vgg(VGGBuilder.vgg11()).learningRate(Range.logUniform(1e-4, 1e-1));
        refused(() -> Search.random(s).run(TrainingData.from(bundle).validationFraction(0.25)), "output folder");
        refused(() -> Search.random(s).output(dir.resolve("out")).run(TrainingData.from(bundle)), "validation split",
                "validationFraction(0.1)");
        refused(() -> Search.grid(s.momentum(Range.uniform(0, 0.9)).weightDecay(Range.uniform(0, 1e-3))
                        .dropout(Range.uniform(0, 0.5)), 40).output(dir.resolve("out")).run(TrainingData.from(bundle)),
                "the grid has 2560000 points");
    }
}
