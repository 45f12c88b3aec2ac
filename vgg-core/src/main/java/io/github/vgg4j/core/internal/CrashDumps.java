package io.github.vgg4j.core.internal;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.util.CrashReportingUtil;

import java.io.File;
import java.nio.file.Path;

/**
 * Where DL4J writes its memory crash dumps: by default the working directory (a
 * {@code dl4j-memory-crash-dump-*.txt} beside the user's files after any OutOfMemoryError in
 * {@code fit} or {@code output}). vgg4j moves them to {@value #DIRECTORY} under the user's home,
 * where the {@code ./vgg} launcher also puts the JVM's {@code hs_err_pid*.log}, unless DL4J's own
 * property {@code -Dorg.deeplearning4j.crash.reporting.directory} chooses. Internal: called once,
 * when vgg4j makes or loads its first network.
 */
public final class CrashDumps {
    /** Under {@code user.home}. */
    public static final String DIRECTORY = ".vgg4j/crash";

    private CrashDumps() {
    }

    /** The folder crash dumps go to from now on. */
    public static Path outOfWorkingDirectory() {
        String chosen = System.getProperty(DL4JSystemProperties.CRASH_DUMP_OUTPUT_DIRECTORY_PROPERTY);
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        Path dir = Path.of(System.getProperty("user.home"), DIRECTORY);
        CrashReportingUtil.crashDumpOutputDirectory(new File(dir.toString()));
        return dir;
    }
}
