package io.github.vgg4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks output locations before hours of work are spent, not when the result is saved. */
final class Outputs {

    private Outputs() {
    }

    /** The folder that {@code file} will be written to (created if needed) accepts files. */
    static void requireWritableFile(Path file, String option) throws IOException {
        requireWritableFolder(file.toAbsolutePath().getParent(), option);
        if (Files.isDirectory(file)) {
            throw new IOException(option + ": " + file + " is a folder; give a file name");
        }
    }

    static void requireWritableFolder(Path folder, String option) throws IOException {
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".vgg4j-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException(option + ": cannot write in " + folder + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }
}
