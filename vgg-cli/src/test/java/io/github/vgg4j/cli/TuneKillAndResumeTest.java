package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vgg tune} killed with SIGKILL in the middle of a search, then run again with the same
 * options: the candidates finished before the kill are kept exactly as recorded and not trained
 * again, the one that was running is trained from its start, and the search completes.
 */
class TuneKillAndResumeTest {
    @TempDir
    Path dir;

    @Test
    void killNineMidSearchThenRerunContinuesWithoutLosingOrRedoingACandidate() throws Exception {
        Path data = TuneCommandTest.tinyIdx(dir.resolve("tiny"));
        Path out = dir.resolve("search");
        List<String> args = TuneCommandTest.args(data, out, "--candidates", "5", "--epochs", "2", "--no-pruning");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), VggCli.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        ObjectMapper json = new ObjectMapper();
        Path results = out.resolve("results.json");
        JsonNode atKill = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (child.isAlive() && System.nanoTime() < deadline) {
            if (Files.exists(results)) {
                try {
                    JsonNode r = json.readTree(results.toFile());
                    if (r.get("candidates").size() >= 2) {
                        child.destroyForcibly(); // SIGKILL while candidate 3 trains: no shutdown hooks, no cleanup
                        child.waitFor(30, TimeUnit.SECONDS);
                        atKill = json.readTree(results.toFile());
                        break;
                    }
                } catch (java.io.IOException racing) {
                    // never a half-written file (atomic replace), but it may vanish for an instant on some file systems
                }
            }
            Thread.sleep(20);
        }
        assertNotNull(atKill, "the child never finished 2 candidates: " + Files.readString(dir.resolve("child.log")));
        int finished = atKill.get("candidates").size();
        assertTrue(finished < 5, "killed mid-search, after " + finished + " candidates");
        CliRun rerun = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, rerun.exit(), rerun.err());
        JsonNode r = json.readTree(rerun.out());
        assertEquals(finished, r.get("restored").asInt(), "every candidate finished before the kill is read back");
        assertEquals(5, r.get("candidates").size());
        JsonNode now = json.readTree(results.toFile()).get("candidates");
        for (int i = 0; i < finished; i++) {
            assertEquals(atKill.get("candidates").get(i), now.get(i), "candidate " + i + " kept exactly (same finish time: not redone)");
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(i, now.get(i).get("index").asInt());
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")), "temporary files of the killed run are cleaned up");
        }
        assertEquals(5 - finished, rerun.err().lines().filter(l -> l.matches("candidate \\d/5: lr=.* \\.\\.\\.")).count(),
                "only the unfinished candidates train: " + rerun.err());
    }
}
