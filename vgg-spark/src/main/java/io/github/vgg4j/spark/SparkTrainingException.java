package io.github.vgg4j.spark;

/** Training on the cluster failed; the message is one line naming what (an executor, a path, a round). */
public final class SparkTrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SparkTrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
