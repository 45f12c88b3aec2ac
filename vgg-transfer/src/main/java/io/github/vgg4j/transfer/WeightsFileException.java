package io.github.vgg4j.transfer;

import java.io.IOException;

/**
 * A weights file that cannot be used: not in the format it claims, damaged, or holding tensors
 * whose names or shapes do not fit the network they are meant for. The message names the file,
 * the tensor and both shapes where that is the problem.
 */
public class WeightsFileException extends IOException {
    public WeightsFileException(String message) {
        super(message);
    }

    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
