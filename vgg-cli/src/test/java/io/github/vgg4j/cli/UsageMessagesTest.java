package io.github.vgg4j.cli;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Usage errors: exit 2, one line on stderr, the option named once, the nearest real name for a typo. */
class UsageMessagesTest {
    @TempDir
    Path dir;

    private static String oneLine(CliRun run) {
        assertEquals(2, run.exit(), run.err());
        assertEquals("", run.out());
        String err = run.err().strip();
        assertEquals(1, err.lines().count(), err);
        return err;
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void unknownCommandsAndOptionsGetTheNearestName() {
        String bogus = oneLine(CliRun.of("bogus"));
        assertTrue(bogus.startsWith("vgg: unknown command 'bogus'; the commands are demo, summary, train"), bogus);
        assertTrue(bogus.contains("example"), bogus);
        assertTrue(oneLine(CliRun.of("trian")).contains("unknown command 'trian' (did you mean train?)"));
        String option = oneLine(CliRun.of("summary", "--bacth-norm"));
        assertTrue(option.startsWith("vgg summary: unknown option '--bacth-norm' (did you mean --batch-norm?)"), option);
        assertTrue(option.endsWith("see 'vgg summary --help'"), option);
    }

    @Test
    void aBadValueNamesItsOptionOnce() throws Exception {
        Path data = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(data.resolve("data_batch_1.bin"), new byte[3073 * 4]);
        String lr = oneLine(CliRun.of("train", "--data", data.toString(), "--lr", "-1"));
        assertTrue(lr.startsWith("vgg train: --lr: learningRate must be a finite number > 0, got -1.0"), lr);
        assertEquals(1, count(lr, "--lr"), lr);
        String notANumber = oneLine(CliRun.of("train", "--data", data.toString(), "--epochs", "ten"));
        assertTrue(notANumber.startsWith("vgg train: --epochs: 'ten' is not a whole number"), notANumber);
        String range = oneLine(CliRun.of("tune", "--data", data.toString(), "--lr", "fast", "--momentum", "0.9"));
        assertEquals(1, count(range, "--lr"), range);
        String schedule = oneLine(CliRun.of("train", "--data", data.toString(), "--lr-schedule", "warm"));
        assertTrue(schedule.startsWith("vgg train: --lr-schedule: "), schedule);
        // refused while parsing: before any data is read (this path does not exist)
        assertTrue(oneLine(CliRun.of("train", "--data", dir.resolve("none").toString(), "--width", "0")).contains("--width"));
    }

    @Test
    void thePlateauScheduleIsNotLeftWithoutValidationData() throws Exception {
        Path data = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(data.resolve("data_batch_1.bin"), new byte[3073 * 4]);
        String err = oneLine(CliRun.of("train", "--data", data.toString(), "--val-fraction", "0"));
        assertTrue(err.contains("--val-fraction 0 leaves no validation data") && err.contains("--lr-schedule"), err);
    }

    @Test
    void summaryOfASavedModelRefusesOptionsThatDescribeAnotherNetwork() throws Exception {
        Path file = dir.resolve("m.zip");
        var net = VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3).head(Head.cifar()).widthMultiplier(0.0625).buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {1, 32, 32}, List.of("a", "b", "c"), Preprocessing.unitScale()));
        String input = oneLine(CliRun.of("summary", "--model", file.toString(), "--input", "3x64x64"));
        assertTrue(input.contains("--input does not apply") && input.contains("1x32x32"), input);
        for (String[] option : new String[][] {{"--config", "D"}, {"--batch-norm"}, {"--classes", "10"}, {"--head", "cifar"},
                {"--width", "0.5"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("summary", "--model", file.toString()));
            args.addAll(List.of(option));
            String err = oneLine(CliRun.of(args.toArray(String[]::new)));
            assertTrue(err.contains(option[0] + " does not apply to a saved model") && err.contains("vgg11, input 1x32x32, 3 classes"),
                    err);
        }
        assertEquals(0, CliRun.of("summary", "--model", file.toString()).exit());
    }
}
