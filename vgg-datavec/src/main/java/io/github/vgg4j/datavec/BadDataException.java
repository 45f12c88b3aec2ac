package io.github.vgg4j.datavec;

import java.io.IOException;

/**
 * Data that is not in the format it claims to be: a CIFAR-10 batch whose size is not a whole
 * number of records, an idx file with a wrong magic number, an empty or one-class folder, ... The
 * message names the file, the record or byte offset, the value found and what was expected.
 */
public class BadDataException extends IOException {
    public BadDataException(String message) {
        super(message);
    }

    public BadDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
