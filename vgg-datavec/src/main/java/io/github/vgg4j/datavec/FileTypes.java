package io.github.vgg4j.datavec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Data is read from regular files and folders only. A named pipe blocks whoever opens it until a
 * writer comes (forever, for a FIFO named like an image), a device such as /dev/zero never ends:
 * both are told by their type, which is looked up without opening them.
 */
final class FileTypes {
    static final String SPECIAL = "not a regular file (a named pipe, socket or device); refused without opening it";

    private FileTypes() {
    }

    /** True for a regular file (links followed). */
    static boolean isRegular(Path p) {
        return Files.isRegularFile(p);
    }

    /** True for something that exists but is neither a regular file nor a folder (links followed). */
    static boolean isSpecial(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return !a.isRegularFile() && !a.isDirectory();
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses a special file named directly. */
    static void refuseSpecial(Path p) throws BadDataException {
        if (isSpecial(p)) {
            throw new BadDataException(p + " is " + SPECIAL);
        }
    }
}
