package io.github.vgg4j.cli;

import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.TrainingProgress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --loss-log}: every batch's loss as {@code epoch,batch,loss} (1-based), for per-iteration
 * curves (the initialisation experiment of docs/results.md). The file is rewritten atomically after
 * every epoch and every 50 batches; a resumed run keeps the lines of the epochs already done.
 */
final class LossLog implements TrainingProgress {
    private final TrainingProgress inner;
    private final Path file;
    private final StringBuilder lines = new StringBuilder();

    private LossLog(TrainingProgress inner, Path file, boolean resume) throws IOException {
        this.inner = inner;
        this.file = file;
        if (resume && Files.isRegularFile(file)) {
            lines.append(Files.readString(file));
        } else {
            lines.append("epoch,batch,loss\n");
        }
    }

    static TrainingProgress around(TrainingProgress inner, Path file, boolean resume) throws IOException {
        return file == null ? inner : new LossLog(inner, file, resume);
    }

    @Override
    public void batch(int epoch, int batch, int batches, double loss) {
        lines.append(epoch + 1).append(',').append(batch).append(',').append(String.format(Locale.ROOT, "%.6g", loss)).append('\n');
        if (batch % 50 == 0) {
            write(); // also mid-epoch: a run the divergence guard stops keeps its curve
        }
        inner.batch(epoch, batch, batches, loss);
    }

    @Override
    public void epoch(EpochResult result) {
        write();
        inner.epoch(result);
    }

    private void write() {
        try {
            AtomicFiles.writeString(file, lines.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("--loss-log: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void learningRateChanged(int epoch, double from, double to) {
        inner.learningRateChanged(epoch, from, to);
    }
}
