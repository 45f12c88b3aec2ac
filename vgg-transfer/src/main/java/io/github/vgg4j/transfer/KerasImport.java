package io.github.vgg4j.transfer;

import java.io.IOException;
import java.nio.file.Path;

final class KerasImport {
    private KerasImport() {
    }

    static PretrainedModel load(Path h5) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }
}
