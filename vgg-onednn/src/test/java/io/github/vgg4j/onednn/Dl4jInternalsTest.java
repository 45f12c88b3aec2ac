package io.github.vgg4j.onednn;

import io.github.vgg4j.core.Bytecode;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.internal.Dl4jInternals;
import io.github.vgg4j.core.internal.Dl4jInternals.TouchPoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fence around DL4J's internals ({@link Dl4jInternals}): complete (every non-public DL4J member
 * that vgg4j's code uses is on its list, found from the bytecode), true for DL4J 1.0.0-M2.1, and
 * effective (a mismatch, simulated, is reported by name and leaves networks on DL4J's own layers).
 */
class Dl4jInternalsTest {
    private static final Pattern REF = Pattern.compile(
            "// (Field|Method|InterfaceMethod) (?:([\\w/$]+)\\.)?(\"<init>\"|[\\w$]+):(\\S+)");

    @Test
    void everyTouchPointHoldsOnThisDl4j() {
        assertEquals(Optional.empty(), Dl4jInternals.check(Dl4jInternals.TOUCH_POINTS));
        assertEquals(Optional.empty(), Dl4jInternals.mismatch());
    }

    @Test
    void aMissingMemberIsReportedByName() {
        List<TouchPoint> points = new ArrayList<>(Dl4jInternals.TOUCH_POINTS);
        points.add(new TouchPoint(Dl4jInternals.Kind.FIELD, "org.deeplearning4j.nn.layers.AbstractLayer", "inputRenamed",
                List.of("org.nd4j.linalg.api.ndarray.INDArray"), "simulated: a DL4J that renamed a field"));
        points.add(new TouchPoint(Dl4jInternals.Kind.CONSTANT, "org.deeplearning4j.nn.multilayer.MultiLayerNetwork",
                "WS_ALL_LAYERS_ACT", List.of("WS_ACTIVATIONS"), "simulated: a DL4J that renamed a workspace"));
        String why = Dl4jInternals.check(points).orElseThrow();
        assertTrue(why.contains("AbstractLayer.inputRenamed (field): no such field"), why);
        assertTrue(why.contains("MultiLayerNetwork.WS_ALL_LAYERS_ACT = \"WS_ACTIVATIONS\": value is \"WS_ALL_LAYERS_ACT\""), why);
    }

    /**
     * Every member that vgg4j's compiled code reads, calls or overrides in DL4J that is not public
     * (a protected field of a layer its kernels extend, say) is on the list: a DL4J upgrade that
     * changes one is then caught at start-up, not at the first training step.
     */
    @Test
    void theListHasEveryNonPublicDl4jMemberTheCodeUses() throws Exception {
        TreeSet<String> unlisted = new TreeSet<>();
        int nonPublic = 0;
        for (Class<?> module : List.of(FastPath.class, OneDnnKernels.class)) {
            for (Map.Entry<String, String> e : Bytecode.disassemble(Bytecode.classRoot(module)).entrySet()) {
                Class<?> self = Class.forName(e.getKey(), false, getClass().getClassLoader());
                Matcher m = REF.matcher(e.getValue());
                while (m.find()) {
                    Class<?> owner = m.group(2) == null ? self
                            : Class.forName(m.group(2).replace('/', '.'), false, getClass().getClassLoader());
                    Member member = resolve(owner, m.group(1), m.group(3), m.group(4));
                    if (member == null || !member.getDeclaringClass().getName().startsWith("org.deeplearning4j.")
                            || Modifier.isPublic(member.getModifiers())) {
                        continue;
                    }
                    nonPublic++;
                    if (!listed(member)) {
                        unlisted.add(member.getDeclaringClass().getSimpleName() + "." + member.getName() + " (used by "
                                + self.getSimpleName() + ")");
                    }
                }
            }
        }
        assertTrue(nonPublic > 10, "found only " + nonPublic + " uses of non-public DL4J members: is the scan working?");
        assertEquals(new TreeSet<String>(), unlisted, "non-public DL4J members used but not in Dl4jInternals.TOUCH_POINTS");
    }

    @Test
    void noOtherClassUsesReflection() throws IOException {
        TreeSet<String> reflecting = new TreeSet<>();
        for (Class<?> module : List.of(FastPath.class, OneDnnKernels.class)) {
            Bytecode.disassemble(Bytecode.classRoot(module)).forEach((name, code) -> {
                if ((code.contains("java/lang/reflect/Field.set") || code.contains("java/lang/Class.getDeclaredField")
                        || code.contains("AccessibleObject.setAccessible")) && !name.equals(Dl4jInternals.class.getName())) {
                    reflecting.add(name);
                }
            });
        }
        assertEquals(new TreeSet<String>(), reflecting, "reflection on DL4J belongs in Dl4jInternals");
    }

    private static boolean listed(Member member) {
        return Dl4jInternals.TOUCH_POINTS.stream().anyMatch(t -> t.member().equals(member.getName())
                && related(t.owner(), member.getDeclaringClass()));
    }

    private static boolean related(String owner, Class<?> declaring) {
        for (Class<?> c = declaring; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(owner)) {
                return true;
            }
        }
        try {
            return declaring.isAssignableFrom(Class.forName(owner, false, Dl4jInternalsTest.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The field or method a bytecode reference resolves to, searching the owner's superclasses as the JVM does. */
    private static Member resolve(Class<?> owner, String kind, String name, String descriptor) {
        for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
            if (kind.equals("Field")) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getName().equals(name)) {
                        return f;
                    }
                }
            } else if (!name.startsWith("\"")) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals(name) && descriptor.startsWith(parameters(m))) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    private static String parameters(Method m) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            b.append(p.descriptorString());
        }
        return b.append(')').toString();
    }
}
