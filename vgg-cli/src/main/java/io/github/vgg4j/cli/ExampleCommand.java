package io.github.vgg4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vgg example NAME}: the example mains of vgg-examples. They live in their own module, which
 * depends on this one, so the {@code ./vgg} launcher puts them on the classpath (and lists them);
 * here they are found by name when they are there.
 */
@Command(name = "example", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run an example main of vgg-examples (one small class per use case).", "",
                "The classes are in vgg-examples/src/main/java/io/github/vgg4j/examples; the ./vgg launcher runs them "
                        + "with the examples' classpath and lists them without a NAME.", ""},
        footer = {"", "Examples:",
                "  ./vgg example                 # lists them (to stdout)",
                "  ./vgg example PrintSummaries",
                "  ./vgg example TrainFashionMnist /usr/share/datasets/fashion-mnist 16"})
final class ExampleCommand implements Callable<Integer> {
    static final String PACKAGE = "io.github.vgg4j.examples";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The example's class name, e.g. PrintSummaries.")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments (each example's Javadoc lists them).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Method main;
        try {
            main = Class.forName(PACKAGE + "." + name).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw Usage.error(spec, "no example named '" + name + "' on this classpath: './vgg example' lists them "
                    + "and runs them with vgg-examples' classpath");
        }
        if (!Modifier.isStatic(main.getModifiers())) {
            throw Usage.error(spec, PACKAGE + "." + name + " is not an example (no static main)");
        }
        try {
            main.invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
        return 0;
    }
}
