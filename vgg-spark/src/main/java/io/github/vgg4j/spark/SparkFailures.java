package io.github.vgg4j.spark;

import org.apache.spark.SparkException;

/**
 * Turns a failed Spark job into one line that says what happened: an executor that cannot read
 * the data names the host and location; a task that failed on every retry names the round and
 * the task's own error, not Spark's stack of stages.
 */
final class SparkFailures {
    private SparkFailures() {
    }

    static RuntimeException explain(Exception e, String where) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExecutorData.UnreadableDataException u) {
                return new SparkTrainingException(u.getMessage(), e);
            }
        }
        String message = String.valueOf(e.getMessage());
        String marker = ExecutorData.UnreadableDataException.class.getName() + ": ";
        int i = message.indexOf(marker);
        if (i >= 0) {
            return new SparkTrainingException(firstLine(message.substring(i + marker.length())), e);
        }
        if (e instanceof SparkException || e.getCause() instanceof SparkException) {
            return new SparkTrainingException("the cluster failed " + where + " (Spark retried its tasks): "
                    + firstLine(message), e);
        }
        return e instanceof RuntimeException r ? r : new SparkTrainingException(where + ": " + message, e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
