package io.github.vgg4j.spark;

/**
 * Where and how a run trains on Spark (what {@code vgg train --spark ...} sets).
 *
 * @param master             {@code local[N]}, {@code local[N,F]} (F tries per task), {@code spark://host:7077},
 *                           {@code yarn}, {@code k8s://...}; null: the one {@code spark-submit} gives
 * @param workers            workers that train at once, one Spark task each (0: the cluster's default
 *                           parallelism, i.e. its executor cores)
 * @param batchPerWorker     examples per minibatch on each worker (0: the run's batch size divided by the
 *                           workers, so that one averaged step covers one batch of the single-process run)
 * @param averagingFrequency minibatches each worker trains between two averages of the parameters
 */
public record SparkTraining(String master, int workers, int batchPerWorker, int averagingFrequency) {

    /**
     * After every minibatch: with the batch divided among the workers, a round is then one step of
     * the single-process run's batch (synchronous SGD), so equal epochs reach its accuracy. Higher
     * values (DL4J's default is 5) average less often: less traffic, but the workers drift apart
     * between averages and an epoch gains less (docs/spark.md).
     */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 1;

    public SparkTraining {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0 (0: the cluster's cores), got " + workers);
        }
        if (batchPerWorker < 0) {
            throw new IllegalArgumentException("batch per worker must be >= 0 (0: the batch divided by the workers), got "
                    + batchPerWorker);
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("averaging frequency must be >= 1 minibatch, got " + averagingFrequency);
        }
        if (master != null && master.isBlank()) {
            throw new IllegalArgumentException("Spark master must be local[N], spark://HOST:PORT, yarn or k8s://..., got ''");
        }
    }

    /** What {@code --spark-mode} accepts: the one way vgg-spark trains. */
    public static final String AVERAGING = "averaging";

    /**
     * Checks a mode's name ({@code vgg train --spark-mode}, {@code SparkTrainMain}): parameter averaging
     * is what vgg-spark trains with; DL4J's gradient sharing is refused with the reason (docs/spark.md).
     */
    public static String mode(String name) {
        String m = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        if (m.equals("sharing")) {
            throw new IllegalArgumentException("gradient sharing is not offered: DL4J's SharedTrainingMaster was 8-9x "
                    + "slower than averaging here and stalled in 2 of 7 runs (docs/spark.md); use averaging");
        }
        if (!m.equals(AVERAGING)) {
            throw new IllegalArgumentException("expected averaging or sharing, got '" + name + "'");
        }
        return m;
    }

    /** On {@code master} with the defaults above. */
    public static SparkTraining on(String master) {
        return new SparkTraining(master, 0, 0, DEFAULT_AVERAGING_FREQUENCY);
    }

    /** Inside {@code spark-submit}: its master and configuration. */
    public static SparkTraining submitted() {
        return new SparkTraining(null, 0, 0, DEFAULT_AVERAGING_FREQUENCY);
    }

    public SparkTraining withWorkers(int n) {
        return new SparkTraining(master, n, batchPerWorker, averagingFrequency);
    }

    public SparkTraining withBatchPerWorker(int b) {
        return new SparkTraining(master, workers, b, averagingFrequency);
    }

    public SparkTraining withAveragingFrequency(int f) {
        return new SparkTraining(master, workers, batchPerWorker, f);
    }
}
