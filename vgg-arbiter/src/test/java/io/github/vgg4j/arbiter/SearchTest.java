package io.github.vgg4j.arbiter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.github.vgg4j.arbiter.CandidateResult.Status.*;
import static org.junit.jupiter.api.Assertions.*;

/** Searches over a narrow VGG on small generated images (seconds per candidate). */
class SearchTest {
    @TempDir
    static Path data;
    @TempDir
    Path dir;
    static DataBundle bundle;

    @BeforeAll
    static void images() throws Exception {
        bundle = Idx.open(TinyImages.idx(data.resolve("tiny"), 320, 1));
    }

    static TrainingData.Builder tiny() {
        return TrainingData.from(bundle).validationFraction(0.25).batchSize(16).augment(false).seed(3);
    }

    static VGGBuilder narrow() {
        return VGGBuilder.vgg11().batchNorm(true).head(Head.fullyConnected(32)).widthMultiplier(0.0625).dropout(0);
    }

    static VggSearchSpace lrMomentum() {
        return SearchSpace.vgg(narrow()).learningRate(Range.logUniform(1e-3, 1e-1)).momentum(Range.uniform(0.5, 0.95));
    }

    @Test
    void randomSearchWritesTheTableAndTheBestEpochsModel() throws Exception {
        SearchResult r = Search.random(lrMomentum()).candidates(3).epochs(2).medianStopping(false).output(dir).run(tiny());
        assertEquals(3, r.candidates().size());
        assertEquals(SearchResult.StopReason.CANDIDATES, r.stoppedBy());
        assertEquals(0, r.restored());
        for (CandidateResult c : r.candidates()) {
            assertEquals(COMPLETED, c.status(), c.toString());
            assertEquals(2, c.epochs().size());
            assertEquals(c.scores().stream().mapToDouble(Double::doubleValue).max().orElseThrow(), c.score(), 0);
            double lr = c.hyperparameters().number(Hyperparameters.LEARNING_RATE);
            assertTrue(lr >= 1e-3 && lr <= 1e-1, "lr " + lr);
            for (EpochResult e : c.epochs()) {
                assertEquals(lr, e.learningRate(), 1e-9, "the candidate's rate, constant over its epochs");
            }
        }
        CandidateResult best = r.best().orElseThrow();
        assertTrue(r.candidates().stream().allMatch(c -> c.score() <= best.score()));

        List<String> csv = Files.readAllLines(r.resultsCsv());
        assertTrue(csv.get(0).startsWith("index,lr,momentum,score,status,seconds,"), csv.get(0));
        assertEquals(4, csv.size());
        JsonNode json = new ObjectMapper().readTree(r.resultsJson().toFile());
        assertEquals(best.index(), json.get("best").get("index").asInt());
        assertEquals(3, json.get("candidates").size());

        var model = ModelFiles.load(r.bestModel());
        assertEquals(String.valueOf(best.index()), model.info().properties().get("tune.candidate"));
        assertEquals(TinyImages.LABELS, model.info().labels());
        try (TrainingData d = tiny().build()) {
            double accuracy = Evaluator.evaluate(model.network(), d.validation(), d.labels()).accuracy();
            assertEquals(best.score(), accuracy, 1e-9, "best-model.zip holds the weights of the best candidate's best epoch");
        }
    }

    /** Records what the search did with each candidate. */
    static final class Log implements SearchListener {
        final List<Integer> trained = new ArrayList<>();
        final List<Integer> restored = new ArrayList<>();
        int announcedRestored = -1;

        @Override
        public void searchStarted(int candidates, int restoredCount) {
            announcedRestored = restoredCount;
        }

        @Override
        public void candidateRestored(CandidateResult result) {
            restored.add(result.index());
        }

        @Override
        public void candidateStarted(int index, Hyperparameters hyperparameters) {
            trained.add(index);
        }
    }

    @Test
    void aRerunOnTheSameFolderContinuesAndNeverRetrainsAFinishedCandidate() throws Exception {
        Search first = Search.random(lrMomentum()).candidates(2).epochs(1).output(dir);
        SearchResult a = first.run(tiny());
        String before = Files.readString(a.resultsJson());
        Path killed = Files.writeString(dir.resolve(".results.json.2147483646.1a2b.tmp"), "{\"half\": ");
        Path live = Files.writeString(dir.resolve(".results.csv." + ProcessHandle.current().pid() + ".1a2b.tmp"), "index,");

        Log log = new Log();
        SearchResult b = Search.random(lrMomentum()).candidates(3).epochs(1).output(dir).listener(log).run(tiny());
        assertEquals(List.of(0, 1), log.restored);
        assertEquals(List.of(2), log.trained, "only the new candidate trains");
        assertFalse(Files.exists(killed), "a killed run's temporary file is removed");
        assertTrue(Files.exists(live), "a live process's is not");
        assertEquals(2, log.announcedRestored);
        assertEquals(2, b.restored());
        assertEquals(3, b.candidates().size());
        assertEquals(a.candidates(), b.candidates().subList(0, 2), "finished candidates are kept exactly as recorded");
        JsonNode was = new ObjectMapper().readTree(before).get("candidates");
        JsonNode now = new ObjectMapper().readTree(b.resultsJson().toFile()).get("candidates");
        assertEquals(was.get(0), now.get(0));
        assertEquals(was.get(1), now.get(1));

        // killed between writing a new best model and the results that name it: that model is not passed off as the best's
        Path model = b.bestModel();
        var info = ModelFiles.readInfo(model);
        var props = new java.util.HashMap<>(info.properties());
        props.put("tune.candidate", "7");
        ModelFiles.save(ModelFiles.load(model).network(), model, new io.github.vgg4j.core.io.ModelInfo(info.architecture(),
                info.inputShape(), info.labels(), info.preprocessing(), props), false);

        Log again = new Log();
        Search.random(lrMomentum()).candidates(3).epochs(1).output(dir).listener(again).run(tiny());
        assertEquals(List.of(), again.trained, "a finished search trains nothing");
        assertFalse(Files.exists(model), "a best model of an unrecorded candidate is removed");

        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> Search.random(lrMomentum()).candidates(3).epochs(2).output(dir).run(tiny()));
        assertTrue(other.getMessage().contains("another search") && other.getMessage().contains("epochs: 1 there, 2 now"),
                other.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> Search.random(
                SearchSpace.vgg(narrow()).learningRate(Range.logUniform(1e-4, 1e-1)).momentum(Range.uniform(0.5, 0.95)))
                .candidates(3).epochs(1).output(dir).run(tiny()));
        assertTrue(range.getMessage().contains("space"), range.getMessage());
    }

    @Test
    void aDivergingCandidateIsRecordedAsFailedWithItsReasonAndTheSearchGoesOn() throws Exception {
        VggSearchSpace space = SearchSpace.vgg(narrow().batchNorm(false)).learningRate(Range.of(1e4, 0.02))
                .momentum(Range.of(0.9));
        SearchResult r = Search.grid(space, 2).epochs(2).output(dir).run(tiny());
        assertEquals(2, r.candidates().size());
        CandidateResult diverged = r.candidates().get(0);
        assertEquals(FAILED, diverged.status());
        assertTrue(diverged.reason().contains("training diverged") && diverged.reason().contains("learning rate"),
                diverged.reason());
        assertTrue(Double.isNaN(diverged.score()));
        assertEquals(COMPLETED, r.candidates().get(1).status());
        assertEquals(1, r.best().orElseThrow().index());
        assertEquals(SearchResult.StopReason.GRID, r.stoppedBy());
        String csv = Files.readString(r.resultsCsv());
        assertTrue(csv.contains(",failed,") && csv.contains("training diverged"), csv);
    }

    @Test
    void aCandidateThatThrowsIsRecordedWithItsReasonAndTheOthersRun() throws Exception {
        VggSearchSpace space = SearchSpace.vgg(narrow()).learningRate(Range.of(0.01, 0.02, 0.03)).momentum(Range.of(0.9));
        Search search = Search.grid(space, 2).epochs(1).output(dir);
        try (Trials real = space.trials(tiny(), 42, null)) {
            Trials failingAt002 = new Trials() {
                @Override
                public java.util.Map<String, String> describe() {
                    return real.describe();
                }

                @Override
                public Trial prepare(Hyperparameters hp) throws java.io.IOException {
                    if (hp.number(Hyperparameters.LEARNING_RATE) == 0.02) {
                        throw new IllegalStateException("no network for you");
                    }
                    return real.prepare(hp);
                }

                @Override
                public void close() {
                }
            };
            SearchResult r = search.runOn(failingAt002);
            assertEquals(List.of(COMPLETED, FAILED, COMPLETED), r.candidates().stream().map(CandidateResult::status).toList());
            assertEquals("IllegalStateException: no network for you", r.candidates().get(1).reason());
            assertTrue(Files.readString(r.resultsCsv()).contains(",failed,") );
        }
    }

    @Test
    void aTemplateThatCannotBuildFailsBeforeAnyCandidate() {
        // six blocks need 64x64 inputs: no candidate could be built from this template
        VGGBuilder tooDeep = narrow().blocks(new int[][] {{1, 64}, {1, 64}, {1, 64}, {1, 64}, {1, 64}, {1, 64}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Search.random(SearchSpace.vgg(tooDeep)
                .learningRate(Range.logUniform(1e-3, 1e-1))).candidates(2).output(dir).run(tiny()));
        assertTrue(e.getMessage().startsWith("input 32x32 is too small"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("results.json")));
    }

    @Test
    void theMedianRulePrunesACandidateWorseThanTheCompletedOnesAfterItsFirstEpoch() throws Exception {
        VggSearchSpace space = SearchSpace.vgg(narrow()).learningRate(Range.of(0.03, 0.02, 0.025, 1e-6)).momentum(Range.of(0.9));
        SearchResult r = Search.grid(space, 2).epochs(3).medianStopping(3, 1).output(dir).run(tiny());
        assertEquals(List.of(COMPLETED, COMPLETED, COMPLETED, PRUNED), r.candidates().stream().map(CandidateResult::status).toList(),
                r.candidates().toString());
        CandidateResult pruned = r.candidates().get(3);
        assertEquals(1, pruned.epochs().size(), "stopped after its first epoch");
        assertTrue(pruned.reason().contains("median"), pruned.reason());
        assertNotEquals(3, r.best().orElseThrow().index(), "a pruned candidate is never the best");
    }

    @Test
    void aCandidateStopsEarlyOnAPlateau() throws Exception {
        // a learning rate too small to change any prediction: validation accuracy stays where it started
        VggSearchSpace space = SearchSpace.vgg(narrow().batchNorm(false)).learningRate(Range.of(1e-9)).momentum(Range.of(0.0));
        SearchResult r = Search.grid(space, 2).epochs(4).earlyStopping(1).output(dir).run(tiny());
        CandidateResult c = r.candidates().get(0);
        assertEquals(EARLY_STOPPED, c.status(), c.toString());
        assertEquals(2, c.epochs().size(), "epoch 2 brought no improvement: stop");
        assertEquals(1, c.bestEpoch());
        assertTrue(c.reason().contains("no better validation accuracy"), c.reason());
        assertTrue(Files.exists(r.bestModel()), "an early-stopped candidate can be the best");
    }

    @Test
    void theTimeBudgetEndsTheSearchBetweenCandidates() throws Exception {
        SearchResult r = Search.random(lrMomentum()).candidates(20).maxTime(Duration.ofMillis(1500)).epochs(1).output(dir)
                .run(tiny());
        assertEquals(SearchResult.StopReason.TIME, r.stoppedBy());
        assertTrue(r.candidates().size() >= 1 && r.candidates().size() < 20, r.candidates().size() + " candidates");
    }

    @Test
    void aGridSearchStopsAtTheEndOfItsGrid() throws Exception {
        VggSearchSpace space = SearchSpace.vgg(narrow()).learningRate(Range.logUniform(1e-3, 1e-1)).batchSize(Range.of(16, 32));
        SearchResult r = Search.grid(space, 2).candidates(10).epochs(1).output(dir).run(tiny());
        assertEquals(SearchResult.StopReason.GRID, r.stoppedBy());
        assertEquals(4, r.candidates().size());
        List<List<Object>> points = r.candidates().stream().map(c -> List.copyOf(c.hyperparameters().values().values())).toList();
        assertEquals(List.of(List.of(0.001, 16), List.of(0.1, 16), List.of(0.001, 32), List.of(0.1, 32)), points);
        assertEquals(List.of(240L, 240L, 240L, 240L), r.candidates().stream().map(c -> c.epochs().get(0).examples()).toList());
    }
}
