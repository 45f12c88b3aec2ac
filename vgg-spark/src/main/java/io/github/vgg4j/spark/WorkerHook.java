package io.github.vgg4j.spark;

import io.github.vgg4j.core.FastPath;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs around every minibatch a worker fits: reseeds the network's random draws (dropout) from
 * (seed, epoch, batch) as the single-process trainer does, and reports to the driver through
 * accumulators the loss, the time of the fit itself, and once per task what the worker's network
 * runs on (vgg4j's kernels or DL4J's own layers, and why).
 */
final class WorkerHook implements TrainingHook {
    private static final long serialVersionUID = 1L;
    /** Seeds of the batches this thread's worker will fit, by batch (set by {@link RoundFunction}). */
    private static final ThreadLocal<Map<Object, Long>> SEEDS = ThreadLocal.withInitial(IdentityHashMap::new);
    private static final ThreadLocal<long[]> STARTED = ThreadLocal.withInitial(() -> new long[1]);
    private static final ThreadLocal<Model> REPORTED = new ThreadLocal<>();

    private final DoubleAccumulator loss;
    private final LongAccumulator batches;
    private final DoubleAccumulator fitSeconds;
    private final CollectionAccumulator<String> networks;

    WorkerHook(DoubleAccumulator loss, LongAccumulator batches, DoubleAccumulator fitSeconds,
               CollectionAccumulator<String> networks) {
        this.loss = loss;
        this.batches = batches;
        this.fitSeconds = fitSeconds;
        this.networks = networks;
    }

    static void expect(Object batch, long seed) {
        SEEDS.get().put(batch, seed);
    }

    static void forgetExpected() {
        SEEDS.get().clear();
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        before(minibatch, model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        before(minibatch, model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        after(model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        after(model);
    }

    private void before(Object minibatch, Model model) {
        Long seed = SEEDS.get().remove(minibatch);
        if (seed != null) { // null: DL4J merged a short batch with the next; its draws follow the previous batch's
            Nd4j.getRandom().setSeed(seed);
        }
        if (REPORTED.get() != model) {
            REPORTED.set(model);
            int layers = FastPath.implementations(model).size();
            networks.add(ExecutorData.host() + ": " + (layers > 0 ? layers + " layers on vgg4j's kernels in "
                    + FastPath.precision(model).toString().toLowerCase(java.util.Locale.ROOT) + " ("
                    + FastPath.status().detail() + ")" : "DL4J's own layers (" + FastPath.status().detail() + ")"));
        }
        STARTED.get()[0] = System.nanoTime();
    }

    private void after(Model model) {
        fitSeconds.add((System.nanoTime() - STARTED.get()[0]) / 1e9);
        loss.add(model.score());
        batches.add(1);
    }
}
