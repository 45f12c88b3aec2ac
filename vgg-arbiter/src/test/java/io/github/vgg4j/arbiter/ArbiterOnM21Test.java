package io.github.vgg4j.arbiter;

import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.SgdSpace;
import org.deeplearning4j.arbiter.layers.DenseLayerSpace;
import org.deeplearning4j.arbiter.layers.OutputLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.deeplearning4j.arbiter.scoring.impl.EvaluationScoreFunction;
import org.deeplearning4j.arbiter.task.MultiLayerNetworkTaskCreator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Arbiter 1.0.0-beta7 has not been released for DL4J 1.0.0-M2.1 (it left DL4J at 1.0.0-M1): each
 * Arbiter feature vgg-arbiter relies on is proven here, running on M2.1 with Arbiter's own
 * DL4J/ND4J/DataVec excluded.
 */
class ArbiterOnM21Test {

    private static Map<String, Range<?>> ranges() {
        Map<String, Range<?>> r = new LinkedHashMap<>();
        r.put("lr", Range.logUniform(1e-4, 1e-1));
        r.put("momentum", Range.uniform(0.5, 0.99));
        r.put("batchSize", Range.of(32, 64));
        r.put("batchNorm", Range.of(true));
        return r;
    }

    private static List<Hyperparameters> draw(long seed, int n) {
        RandomSearchGenerator g = new RandomSearchGenerator(new ArbiterSpace(ranges()), null);
        g.setRngSeed(seed);
        List<Hyperparameters> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Candidate<?> c = g.getCandidate();
            assertNull(c.getException());
            assertEquals(i, c.getIndex());
            out.add((Hyperparameters) c.getValue()); // through Arbiter's serialised supplier
        }
        return out;
    }

    @Test
    void randomSearchDrawsLogUniformUniformAndListValuesReproduciblyFromTheSeed() {
        List<Hyperparameters> a = draw(7, 400);
        assertEquals(a, draw(7, 400), "same seed, same candidates: what resuming a search relies on");
        assertNotEquals(a, draw(8, 400));

        double[] log10 = a.stream().mapToDouble(h -> Math.log10(h.number("lr"))).sorted().toArray();
        assertTrue(log10[0] >= -4 && log10[log10.length - 1] <= -1, "lr within [1e-4, 1e-1]");
        assertEquals(-2.5, log10[log10.length / 2], 0.2, "log-uniform: the median of log10(lr) is the middle of [-4, -1]");
        long lowDecade = a.stream().filter(h -> h.number("lr") < 1e-3).count();
        assertEquals(400 / 3.0, lowDecade, 40, "each decade as likely as the others");
        double momentumMean = a.stream().mapToDouble(h -> h.number("momentum")).average().orElseThrow();
        assertEquals(0.745, momentumMean, 0.03, "uniform momentum in [0.5, 0.99]");
        assertTrue(a.stream().allMatch(h -> h.number("momentum") >= 0.5 && h.number("momentum") <= 0.99));
        Set<Object> batches = new HashSet<>();
        a.forEach(h -> batches.add(h.values().get("batchSize")));
        assertEquals(Set.of(32, 64), batches);
        assertTrue(a.stream().allMatch(h -> h.flag("batchNorm")), "a fixed value is in every candidate");
        assertEquals(List.of("lr", "momentum", "batchSize", "batchNorm"), List.copyOf(a.get(0).values().keySet()));
    }

    @Test
    void gridSearchVisitsEveryPointOnceLogSpacedForLogUniformRanges() {
        Map<String, Range<?>> r = new LinkedHashMap<>();
        r.put("lr", Range.logUniform(1e-4, 1e-2));
        r.put("fixed", Range.of(0.5)); // kept out of Arbiter: its grid mis-numbers single-valued spaces
        r.put("momentum", Range.uniform(0.5, 0.9));
        r.put("batchSize", Range.of(16, 32));
        ArbiterSpace space = new ArbiterSpace(r);
        GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(space, 3, GridSearchCandidateGenerator.Mode.Sequential, null);
        assertEquals(18, g.getTotalNumCandidates());
        assertEquals(18, space.gridSize(3));
        Set<Hyperparameters> seen = new HashSet<>();
        Set<Double> lrs = new java.util.TreeSet<>();
        while (g.hasMoreCandidates()) {
            Hyperparameters h = (Hyperparameters) g.getCandidate().getValue();
            assertTrue(seen.add(h), "visited twice: " + h);
            lrs.add(h.number("lr"));
            assertEquals(0.5, h.number("fixed"));
        }
        assertEquals(18, seen.size());
        List<Double> l = List.copyOf(lrs);
        assertEquals(1e-4, l.get(0), 1e-12);
        assertEquals(1e-3, l.get(1), 1e-9, "the middle of a log-uniform grid is the geometric mean");
        assertEquals(1e-2, l.get(2), 1e-9);
        assertTrue(seen.stream().anyMatch(h -> h.number("momentum") == 0.7));
    }

    /** A task creator of our own, as vgg-arbiter's: candidate i scores i, every third one fails. */
    @SuppressWarnings({"deprecation", "rawtypes"}) // Arbiter's interface
    private static final class Scripted implements TaskCreator {
        final AtomicInteger ran = new AtomicInteger();
        final long sleepMillis;

        Scripted(long sleepMillis) {
            this.sleepMillis = sleepMillis;
        }

        Callable<OptimizationResult> task(Candidate<?> c) {
            return () -> {
                ran.incrementAndGet();
                Thread.sleep(sleepMillis);
                int i = c.getIndex();
                boolean failed = i % 3 == 2;
                CandidateInfo info = new CandidateInfo(i, failed ? CandidateStatus.Failed : CandidateStatus.Complete,
                        failed ? null : (double) i, 0, 0L, 0L, c.getFlatParameters(), failed ? "diverged" : null);
                return new OptimizationResult(c, failed ? null : (double) i, i, null, info, null);
            };
        }

        @Override
        public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider, ScoreFunction scoreFunction,
                                                   List<StatusListener> statusListeners, IOptimizationRunner runner) {
            return task(candidate);
        }

        @Override
        public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource, Properties p,
                                                   ScoreFunction scoreFunction, List<StatusListener> statusListeners,
                                                   IOptimizationRunner runner) {
            return task(candidate);
        }
    }

    @Test
    void localRunnerWithOurTaskCreatorStopsAtMaxCandidatesCountsFailuresAndKeepsTheBest() {
        Scripted tasks = new Scripted(0);
        OptimizationConfiguration conf = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(new ArbiterSpace(ranges()), null))
                .scoreFunction(new ObjectiveScore(Objective.VALIDATION_ACCURACY))
                .terminationConditions(new MaxCandidatesCondition(7)).rngSeed(1).build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(1, conf, tasks);
        runner.execute();
        assertEquals(7, tasks.ran.get(), "exactly the candidates asked for, failed ones included");
        assertEquals(2, runner.numCandidatesFailed());
        assertEquals(5, runner.numCandidatesCompleted());
        assertEquals(6.0, runner.bestScore(), "higher is better for accuracy");
        assertEquals(6, runner.bestScoreCandidateIndex());

        Scripted again = new Scripted(0);
        OptimizationConfiguration minimize = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(new ArbiterSpace(ranges()), null))
                .scoreFunction(new ObjectiveScore(Objective.VALIDATION_LOSS))
                .terminationConditions(new MaxCandidatesCondition(4)).rngSeed(1).build();
        LocalOptimizationRunner r2 = new LocalOptimizationRunner(1, minimize, again);
        r2.execute();
        assertEquals(0.0, r2.bestScore(), "lower is better for loss");
    }

    @Test
    void maxTimeConditionStopsBetweenCandidatesWithoutInterruptingOne() {
        Scripted tasks = new Scripted(400);
        OptimizationConfiguration conf = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(new ArbiterSpace(ranges()), null))
                .scoreFunction(new ObjectiveScore(Objective.VALIDATION_ACCURACY))
                .terminationConditions(new MaxCandidatesCondition(100), new MaxTimeCondition(2000, TimeUnit.MILLISECONDS))
                .build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(1, conf, tasks);
        long t0 = System.nanoTime();
        runner.execute();
        double seconds = (System.nanoTime() - t0) / 1e9;
        int ran = tasks.ran.get();
        // The runner polls for finished tasks once a second before it starts the first one: 0.4 s
        // candidates run from about 1 s to 2 s, the last one started before 2 s finishes.
        assertTrue(ran >= 2 && ran <= 4, ran + " candidates of 0.4 s in a 2 s budget");
        assertEquals(ran, runner.numCandidatesCompleted() + runner.numCandidatesFailed(), "every started candidate finished");
        assertTrue(seconds >= 2 && seconds < 6, "stopped after " + seconds + " s");
    }

    @Test
    void noBeta7DeepLearning4jNd4jOrDataVecIsOnTheClasspath() throws Exception {
        List<String> beta7 = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String p = entry.replace('\\', '/');
            boolean dl4jFamily = p.contains("/org/deeplearning4j/") || p.contains("/org/nd4j/") || p.contains("/org/datavec/");
            if (dl4jFamily && p.contains("1.0.0-beta") && !p.matches(".*/arbiter-[a-z0-9]+-1\\.0\\.0-beta7\\.jar")) {
                beta7.add(entry);
            }
        }
        assertEquals(List.of(), beta7, "Arbiter's own DL4J/ND4J/DataVec must be excluded");
        for (Class<?> c : new Class<?>[] {MultiLayerNetwork.class, Nd4j.class, org.datavec.api.records.reader.RecordReader.class}) {
            String jar = c.getProtectionDomain().getCodeSource().getLocation().toString();
            assertTrue(jar.contains("1.0.0-M2.1"), c.getName() + " comes from " + jar);
        }
    }

    @Test
    void everyClassOfTheArbiterJarsLinksAgainstM21() throws Exception {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Class<?> anchor : new Class<?>[] {RandomSearchGenerator.class, MultiLayerSpace.class}) {
            Path jar = jarOf(anchor);
            assertTrue(jar.getFileName().toString().endsWith("1.0.0-beta7.jar"), jar.toString());
            try (JarFile f = new JarFile(jar.toFile())) {
                for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (!name.endsWith(".class") || name.contains("module-info")) {
                        continue;
                    }
                    String cls = name.substring(0, name.length() - 6).replace('/', '.');
                    try {
                        // resolves every type named in fields, methods and constructors
                        Class<?> c = Class.forName(cls, false, getClass().getClassLoader());
                        c.getDeclaredFields();
                        c.getDeclaredMethods();
                        c.getDeclaredConstructors();
                        checked++;
                    } catch (LinkageError | ClassNotFoundException ex) {
                        broken.add(cls + ": " + ex);
                    }
                }
            }
        }
        assertTrue(checked > 150, checked + " classes checked");
        assertEquals(List.of(), broken);
    }

    private static Path jarOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Arbiter's own data source for the test below: 64 random 4-feature rows, 2 separable classes. */
    public static final class Separable implements DataSource {
        @Override
        public void configure(Properties properties) {
        }

        @Override
        public Object trainData() {
            return iterator(1);
        }

        @Override
        public Object testData() {
            return iterator(2);
        }

        private static ListDataSetIterator<DataSet> iterator(long seed) {
            Nd4j.getRandom().setSeed(seed);
            var x = Nd4j.rand(64, 4).subi(0.5);
            var y = Nd4j.zeros(64, 2);
            for (int i = 0; i < 64; i++) {
                y.putScalar(i, x.getDouble(i, 0) > 0 ? 1 : 0, 1.0);
            }
            return new ListDataSetIterator<>(new DataSet(x, y).asList(), 16);
        }

        @Override
        public Class<?> getDataType() {
            return org.nd4j.linalg.dataset.api.iterator.DataSetIterator.class;
        }
    }

    @Test
    void arbitersOwnMultiLayerSpaceAndTaskCreatorStillTrainOnM21ForThoseWhoWantThem() {
        MultiLayerSpace space = new MultiLayerSpace.Builder()
                .updater(new SgdSpace(new ContinuousParameterSpace(0.05, 0.5)))
                .addLayer(new DenseLayerSpace.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .addLayer(new OutputLayerSpace.Builder().nIn(8).nOut(2).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                // a fixed seed: DL4J's default is the clock, and 3 epochs from an unlucky start scored 0.44 once
                .seed(42L).numEpochs(10).build();
        OptimizationConfiguration conf = new OptimizationConfiguration.Builder()
                .candidateGenerator(new RandomSearchGenerator(space, null))
                .dataSource(Separable.class, new Properties())
                .scoreFunction(new EvaluationScoreFunction(Evaluation.Metric.ACCURACY))
                .terminationConditions(new MaxCandidatesCondition(2)).rngSeed(3).build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(conf, new MultiLayerNetworkTaskCreator(null));
        runner.execute();
        assertEquals(2, runner.numCandidatesCompleted(), "failed: " + runner.getCandidateStatus());
        System.out.println("Arbiter's own MultiLayerSpace on M2.1: best accuracy " + runner.bestScore());
        assertTrue(runner.bestScore() > 0.6, "accuracy " + runner.bestScore());
    }
}
