package io.github.vgg4j.cli;

import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.TrainingProgress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Function;

/**
 * Training progress on stderr: a bar per epoch with batches done, loss and ETA when stderr
 * is a terminal ({@link Terminal}), one line per tenth of an epoch otherwise (logs, pipes), and a
 * line per epoch in both.
 */
final class ConsoleProgress implements TrainingProgress {
    private final PrintWriter err;
    private final PrintStream bar;
    private final int epochs;
    /** Steps per epoch: the trainer's count once it gives one (on Spark a step is an averaging round). */
    private int batches;
    private Function<EpochResult, String> epochTail = r -> "";
    private ProgressBar current;
    private long epochStart;
    private int firstBatch;

    /**
     * @param bar where the bar is drawn (the terminal), or null for lines
     */
    ConsoleProgress(PrintWriter err, PrintStream bar, int epochs, int batches) {
        this.err = err;
        this.bar = bar;
        this.epochs = epochs;
        this.batches = batches;
    }

    /** A bar on stderr when it is a terminal, lines otherwise. */
    static ConsoleProgress of(PrintWriter err, int epochs, int batches) {
        return new ConsoleProgress(err, Terminal.stderrIsInteractive() ? System.err : null, epochs, batches);
    }

    /** Appends {@code tail} to every epoch's line (vgg train --spark: the cluster's throughput). */
    ConsoleProgress withEpochTail(Function<EpochResult, String> tail) {
        this.epochTail = tail;
        return this;
    }

    @Override
    public void batch(int epoch, int batch, int total, double loss) {
        if (total > 0) {
            batches = total;
        }
        if (bar == null) {
            line(epoch, batch, loss);
            return;
        }
        if (current == null) {
            current = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(bar)).setUnit(" batches", 1).build();
            current.stepTo(batch - 1);
        }
        current.stepTo(batch);
        // no speed: the library glues this message to it ("8.0 batches/sloss 2.1"), and without it the loss still
        // fits an 80-column terminal (the ETA says the pace)
        current.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss));
    }

    /** Logs: a line at every tenth of an epoch, with the time left in it. */
    private void line(int epoch, int batch, double loss) {
        if (epochStart == 0) {
            epochStart = System.nanoTime();
            firstBatch = batch - 1;
        }
        int step = Math.max(1, batches / 10);
        if (batch % step == 0 && batch < batches) {
            double perBatch = (System.nanoTime() - epochStart) / 1e9 / Math.max(1, batch - firstBatch);
            err.printf(Locale.ROOT, "  epoch %d/%d  batch %d/%d  loss %.4f  %.0fs left in the epoch%n", epoch + 1, epochs,
                    batch, batches, loss, perBatch * (batches - batch));
            err.flush();
        }
    }

    @Override
    public void epoch(EpochResult r) {
        epochStart = 0;
        if (current != null) {
            current.close();
            current = null;
        }
        err.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  train acc %s  val loss %s  val acc %s  lr %.2g  %.1fs%s%n",
                r.epoch() + 1, epochs, r.trainLoss(), fmt(r.trainAccuracy()), fmt(r.validationLoss()),
                fmt(r.validationAccuracy()), r.learningRate(), r.seconds(), epochTail.apply(r));
        err.flush();
    }

    @Override
    public void learningRateChanged(int epoch, double from, double to) {
        err.printf(Locale.ROOT, "validation accuracy stopped improving: learning rate %.2g -> %.2g%n", from, to);
        err.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
