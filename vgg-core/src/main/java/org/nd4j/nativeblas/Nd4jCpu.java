package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Restores the class that DL4J 1.0.0-M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up.
 *
 * <p>Why this exists: that check loads {@code org.nd4j.nativeblas.Nd4jCpu$Environment} and calls
 * {@code isUseMKLDNN()} by reflection. M2.1 moved the class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and renamed the method to
 * {@code isUseONEDNN()}, so the lookup fails, is cached as failed, and no layer ever reaches oneDNN
 * (convolutions ~7x slower than PyTorch on CPU). This class answers from the M2.1 environment.
 * It is found by name only; nothing in vgg4j calls it directly. Reflection keeps vgg-core free of
 * a compile-time dependency on the CPU backend (the CUDA build compiles without it).
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The environment view that the M2.1 oneDNN helpers ask for. */
    public static final class Environment {
        private static final String M21_ENVIRONMENT =
                "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when the loaded libnd4j was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName(M21_ENVIRONMENT, true, Nd4jCpu.class.getClassLoader());
                Object instance = env.getMethod("getInstance").invoke(null);
                Method useOneDnn = env.getMethod("isUseONEDNN");
                return (Boolean) useOneDnn.invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
