package io.github.vgg4j.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The one line a failed command prints: the library's message, or what the JDK's bare ones mean. */
final class Failures {
    private Failures() {
    }

    static String message(Throwable e) {
        return oneLine(raw(e));
    }

    private static String raw(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() instanceof FileSystemException f
                && (u.getMessage() == null || u.getMessage().equals(f.toString()))) {
            return raw(f); // wrapped without a message of its own
        }
        if (e instanceof FileSystemException f && f.getReason() == null && f.getOtherFile() == null) {
            // the JDK's message is then the bare path: say what happened to it
            return what(f) + ": " + f.getFile();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + e.getMessage() + "): give the JVM more with VGG_JAVA_OPTS (e.g. -Xmx8g for the "
                    + "heap, -Dorg.bytedeco.javacpp.maxbytes=20g for tensors), or use a smaller batch or input";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow (input nested too deeply?); -Dvgg.stacktrace=true shows where";
        }
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.toString();
    }

    private static String what(FileSystemException f) {
        if (f instanceof NoSuchFileException) {
            return "file not found";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "folder not empty";
        }
        return "cannot use file";
    }

    /** Messages of DL4J and the JDK may span lines; the contract is one. */
    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
