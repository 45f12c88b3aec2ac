package io.github.vgg4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The documentation's code is code: every ```java block of README.md and docs/*.md compiles
 * against the library (wrapped in a method, with the library's packages imported), and every
 * {@code ./vgg COMMAND ...} line of a ```bash block parses with the command line's own parser
 * (options that do not exist, or values that do not convert, fail here before a reader finds them).
 */
class DocSnippetsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FENCE = Pattern.compile("```(java|bash)\\n(.*?)```", Pattern.DOTALL);
    private static final String IMPORTS = String.join("\n",
            "import io.github.vgg4j.core.*;", "import io.github.vgg4j.core.io.*;", "import io.github.vgg4j.core.train.*;",
            "import io.github.vgg4j.core.zoo.*;", "import io.github.vgg4j.datavec.*;", "import io.github.vgg4j.transfer.*;",
            "import io.github.vgg4j.arbiter.*;",
            "import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;", "import org.deeplearning4j.nn.graph.ComputationGraph;",
            "import org.deeplearning4j.zoo.PretrainedType;", "import java.nio.file.*;", "import java.util.*;", "");

    private record Snippet(Path file, int line, String lang, String code) {
    }

    private static List<Snippet> snippets() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Snippet> out = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            Matcher m = FENCE.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                out.add(new Snippet(f, line, m.group(1), m.group(2)));
            }
        }
        return out;
    }

    @Test
    void everyJavaSnippetCompiles() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new ArrayList<>();
        List<Snippet> java = snippets().stream().filter(s -> s.lang().equals("java")).toList();
        assertTrue(java.size() >= 5, "expected the docs' Java snippets, found " + java.size());
        for (int i = 0; i < java.size(); i++) {
            Snippet s = java.get(i);
            StringBuilder imports = new StringBuilder(IMPORTS);
            StringBuilder body = new StringBuilder();
            for (String l : s.code().split("\n")) {
                (l.startsWith("import ") ? imports : body).append(l).append('\n');
            }
            String name = "Snippet" + i;
            String source = imports + "\n// " + ROOT.relativize(s.file()) + ":" + s.line() + "\npublic class " + name
                    + " {\n static void run() throws Exception {\n" + body + "\n }\n}\n";
            units.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
        }
        Path classes = Files.createTempDirectory("snippets");
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-d", classes.toString(), "-proc:none",
                "-classpath", System.getProperty("java.class.path")), null, units).call();
        assertTrue(ok, "documentation snippets that do not compile:\n" + diagnostics);
    }

    @Test
    void everyVggCommandInTheDocsParses() throws IOException {
        int checked = 0;
        java.util.Map<Path, java.util.Map<String, String>> varsByFile = new java.util.HashMap<>(); // a page's variables
        for (Snippet s : snippets()) {
            if (!s.lang().equals("bash")) {
                continue;
            }
            String joined = s.code().replace("\\\n", " ");
            java.util.Map<String, String> vars = varsByFile.computeIfAbsent(s.file(), f -> new java.util.HashMap<>());
            for (String line : joined.split("\n")) {
                Matcher assignment = Pattern.compile("^(\\w+)=\"(.*)\"$").matcher(line.trim());
                if (assignment.matches()) {
                    vars.put(assignment.group(1), assignment.group(2)); // e.g. common="--data ..." used as $common
                    continue;
                }
                for (var v : vars.entrySet()) {
                    line = line.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
                }
                String cmd = line.replaceAll("\\s+#.*$", "").replaceAll("\\s*&$", "").trim();
                if (!cmd.startsWith("./vgg ") || cmd.startsWith("./vgg example")) {
                    continue;
                }
                List<String> args = new ArrayList<>(List.of(cmd.substring(6).trim().split("\\s+")));
                args.replaceAll(a -> a.replace("~", System.getProperty("user.home")));
                try {
                    VggCli.commandLine().parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    fail(ROOT.relativize(s.file()) + ":" + s.line() + ": `" + cmd + "` does not parse: " + e.getMessage());
                }
                checked++;
            }
        }
        assertTrue(checked >= 20, "expected the docs' ./vgg command lines, found " + checked);
    }
}
