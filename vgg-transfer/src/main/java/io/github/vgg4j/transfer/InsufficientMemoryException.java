package io.github.vgg4j.transfer;

/**
 * Raised before a model is loaded or trained when it cannot fit in the memory the JVM was given,
 * instead of DL4J's {@code OutOfMemoryError: Cannot allocate new FloatPointer(...)} halfway
 * through. The message says how much is needed and which setting to raise.
 */
public class InsufficientMemoryException extends IllegalStateException {
    public InsufficientMemoryException(String message) {
        super(message);
    }

    public InsufficientMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
