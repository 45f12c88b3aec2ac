package io.github.vgg4j.core.io;

import org.example.hostile.Tripwire;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Proves that code did not load or initialise a class: runs it with a context class loader that
 * records every class requested through it (Jackson asks the context loader first), and checks
 * afterwards that the class's static initialiser has not run ({@code Unsafe.shouldBeInitialized},
 * which looks without initialising). Works for any class on the classpath, e.g. FFmpeg's
 * {@code org.bytedeco.ffmpeg.global.avutil} where it is there, and for {@link Tripwire}, whose
 * initialiser also sets a system property.
 */
public final class ClassTripwire {
    /** {@link Tripwire}'s name, as a string: naming the class literal here must not be what loads it. */
    public static final String TRIPWIRE = "org.example.hostile.Tripwire";
    public static final String MARK = Tripwire.MARK;

    private ClassTripwire() {
    }

    /** What a run asked the context class loader for. */
    public static final class Recording extends ClassLoader {
        final List<String> requested = Collections.synchronizedList(new ArrayList<>());

        Recording(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    /** Runs {@code work} and returns what it threw (it must throw), with the classes it requested. */
    public static <T extends Throwable> Result<T> run(Class<T> expected, Callable<?> work) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        Recording recording = new Recording(before);
        t.setContextClassLoader(recording);
        try {
            work.call();
        } catch (Throwable e) {
            if (!expected.isInstance(e)) {
                throw new AssertionError("expected " + expected.getSimpleName() + ", got " + e, e);
            }
            return new Result<>(expected.cast(e), List.copyOf(recording.requested));
        } finally {
            t.setContextClassLoader(before);
        }
        throw new AssertionError("expected " + expected.getSimpleName() + ", nothing was thrown");
    }

    public record Result<T>(T thrown, List<String> requested) {
    }

    /** Runs {@code work}, which may return or throw as it likes (a command line's exit status), recording its requests. */
    public static <V> Recorded<V> record(Callable<V> work) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        Recording recording = new Recording(before);
        t.setContextClassLoader(recording);
        try {
            V value = work.call();
            return new Recorded<>(value, List.copyOf(recording.requested));
        } finally {
            t.setContextClassLoader(before);
        }
    }

    public record Recorded<V>(V value, List<String> requested) {
    }

    /** True if the class has been initialised in this JVM (false if it is not on the classpath). */
    public static boolean initialised(String className) {
        Class<?> c;
        try {
            c = Class.forName(className, false, ClassTripwire.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        try {
            Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            Method should = unsafe.getClass().getMethod("shouldBeInitialized", Class.class);
            return !(boolean) should.invoke(unsafe, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot ask the JVM whether " + className + " is initialised", e);
        }
    }

    /** True if the class is on the test classpath (looked up without initialising it). */
    public static boolean present(String className) {
        try {
            Class.forName(className, false, ClassTripwire.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
