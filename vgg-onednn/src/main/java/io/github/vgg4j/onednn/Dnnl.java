package io.github.vgg4j.onednn;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * oneDNN 2.5 (JavaCPP's {@code dnnl} presets) for vgg4j's kernels: loading, the CPU engine, one
 * stream per thread, and the small conversions between ND4J arrays and oneDNN memory.
 *
 * <p>Why a second oneDNN next to the 2.3 inside libnd4j: libnd4j hides its oneDNN symbols and
 * chooses for us (NHWC-blocked brgconv forward, Winograd backward even on 2x2 maps, reorders and
 * scratchpads allocated on every call); this one lets vgg4j pick the algorithm per layer, fuse the
 * ReLU and keep its buffers. ND4J is initialised first so that oneDNN joins libnd4j's OpenMP
 * runtime (JavaCPP loads one {@code libgomp.so.1} per process) instead of starting a second
 * thread pool that would spin against the first on a small machine.
 */
final class Dnnl {
    private static final Logger log = LoggerFactory.getLogger(Dnnl.class);
    private static final String DISABLE = "vgg4j.onednn";
    private static final Runtime RUNTIME = load();

    private Dnnl() {
    }

    private record Runtime(dnnl_engine engine, String version, String unavailable, int isa) {
    }

    /** True when oneDNN loaded and vgg4j's kernels may run ({@code -Dvgg4j.onednn=false} turns them off). */
    static boolean available() {
        return RUNTIME.unavailable == null;
    }

    /** Why the kernels are off, or null. */
    static String unavailableReason() {
        return RUNTIME.unavailable;
    }

    static String version() {
        return RUNTIME.version;
    }

    static dnnl_engine engine() {
        if (!available()) {
            throw new IllegalStateException("oneDNN is not available: " + RUNTIME.unavailable);
        }
        return RUNTIME.engine;
    }

    private static final ThreadLocal<dnnl_stream> STREAMS = ThreadLocal.withInitial(() -> {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, engine(), dnnl_stream_default_flags), "dnnl_stream_create");
        return s;
    });

    /** This thread's stream (oneDNN streams are not shared between threads). */
    static dnnl_stream stream() {
        return STREAMS.get();
    }

    private static Runtime load() {
        if ("false".equalsIgnoreCase(System.getProperty(DISABLE))) {
            return new Runtime(null, null, "-D" + DISABLE + "=false", 0);
        }
        try {
            // ND4J first: its natives bring the process's OpenMP runtime, which oneDNN then shares.
            Nd4j.getBackend();
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            dnnl_version_t v = dnnl_version();
            String version = v.major() + "." + v.minor() + "." + v.patch();
            dnnl_engine engine = new dnnl_engine();
            check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create");
            int isa = dnnl_get_effective_cpu_isa();
            log.debug("oneDNN {} loaded for vgg4j's kernels, instruction set {}", version, isaName(isa));
            return new Runtime(engine, version, null, isa);
        } catch (Throwable e) { // UnsatisfiedLinkError, a missing natives jar: keep ND4J's own kernels
            log.info("vgg4j's oneDNN kernels are off ({}); networks run on DL4J's own layers", e.toString());
            return new Runtime(null, null, e.toString(), 0);
        }
    }

    /**
     * The instruction set oneDNN uses on this CPU ({@code dnnl_get_effective_cpu_isa}: what the CPU
     * has, capped by {@code ONEDNN_MAX_CPU_ISA}), e.g. {@code avx512_core_bf16}; null without oneDNN.
     */
    static String isa() {
        return available() ? isaName(RUNTIME.isa) : null;
    }

    /**
     * Whether oneDNN computes bfloat16 natively here: AVX-512 BF16 ({@code avx512_core_bf16}) or AMX
     * ({@code avx512_core_amx}, whose bit mask includes it). Asked of oneDNN rather than read from
     * /proc/cpuinfo: its kernels are what runs, and it honours {@code ONEDNN_MAX_CPU_ISA}. Below
     * that oneDNN would still run bfloat16 primitives, emulated in float32 and slower than float32.
     */
    static boolean nativeBf16() {
        return available() && (RUNTIME.isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }

    private static String isaName(int isa) {
        // Most capable first: each mask contains the ones below it.
        int[] masks = {dnnl_cpu_isa_avx512_core_amx, dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_vnni,
                dnnl_cpu_isa_avx512_core, dnnl_cpu_isa_avx512_mic_4ops, dnnl_cpu_isa_avx512_mic, dnnl_cpu_isa_avx2_vnni,
                dnnl_cpu_isa_avx2, dnnl_cpu_isa_avx, dnnl_cpu_isa_sse41};
        String[] names = {"avx512_core_amx", "avx512_core_bf16", "avx512_core_vnni", "avx512_core", "avx512_mic_4ops",
                "avx512_mic", "avx2_vnni", "avx2", "avx", "sse41"};
        for (int i = 0; i < masks.length; i++) {
            if ((isa & masks[i]) == masks[i]) {
                return names[i];
            }
        }
        return "isa 0x" + Integer.toHexString(isa);
    }

    /**
     * Runs {@code body} with this thread's OpenMP team size set to 1: oneDNN sizes a primitive's
     * threads when it creates it (its descriptor), so a primitive created here runs on one thread
     * wherever it is later executed. Through libnd4j, whose OpenMP runtime (libgomp) oneDNN shares;
     * the setting is per thread and restored afterwards.
     */
    static <T> T oneThread(Supplier<T> body) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(1);
        try {
            return body.get();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    static void check(int status, String call) {
        if (status != dnnl_success) {
            throw new IllegalStateException(call + " failed: " + statusName(status));
        }
    }

    private static String statusName(int status) {
        return switch (status) {
            case dnnl_out_of_memory -> "out of memory";
            case dnnl_invalid_arguments -> "invalid arguments";
            case dnnl_unimplemented -> "unimplemented";
            case dnnl_iterator_ends -> "iterator ends";
            case dnnl_runtime_error -> "runtime error";
            case dnnl_not_required -> "not required";
            default -> "status " + status;
        };
    }

    /** A float32 memory descriptor of the given dims in a named layout (or {@code dnnl_format_tag_any}). */
    static dnnl_memory_desc_t desc(long[] dims, int formatTag) {
        return desc(dims, formatTag, DataType.FLOAT);
    }

    /** A memory descriptor of the given dims and element type (FLOAT or BFLOAT16) in a named layout. */
    static dnnl_memory_desc_t desc(long[] dims, int formatTag, DataType type) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, type(type), formatTag), "dnnl_memory_desc_init_by_tag");
        return d;
    }

    /** oneDNN's name for an element type the kernels handle. */
    static int type(DataType type) {
        return switch (type) {
            case FLOAT -> dnnl_f32;
            case BFLOAT16 -> dnnl_bf16;
            default -> throw new IllegalArgumentException("vgg4j's kernels take FLOAT or BFLOAT16 arrays, not " + type);
        };
    }

    /** A copy of a descriptor that a primitive descriptor owns, so it outlives nothing it depends on. */
    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        dnnl_memory_desc_t owned = dnnl_primitive_desc_query_md(pd, what, 0);
        dnnl_memory_desc_t copy = new dnnl_memory_desc_t();
        Pointer.memcpy(copy, owned, copy.sizeof());
        return copy;
    }

    static boolean same(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) == 1;
    }

    static long bytes(dnnl_memory_desc_t d) {
        return dnnl_memory_desc_get_size(d);
    }

    /** A memory object without data; its handle is set before each execution. */
    static dnnl_memory memory(dnnl_memory_desc_t d) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, d, engine(), (Pointer) null), "dnnl_memory_create");
        return m;
    }

    /** A memory object that oneDNN allocates (aligned) and frees on {@link #free}. */
    static dnnl_memory allocate(long bytes) {
        dnnl_memory m = new dnnl_memory();
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, 1, new long[] {Math.max(bytes, 1)}, dnnl_u8, dnnl_a), "dnnl_memory_desc_init_by_tag");
        check(dnnl_memory_create(m, d, engine(), Address.ALLOCATE), "dnnl_memory_create");
        return m;
    }

    static long handle(dnnl_memory m) {
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(dnnl_memory_get_data_handle(m, out), "dnnl_memory_get_data_handle");
        return out.get(0).address();
    }

    static void free(dnnl_memory m) {
        if (m != null && !m.isNull()) {
            dnnl_memory_destroy(m);
            m.setNull();
        }
    }

    /** The native address of an array's first element; the array must be {@link #dense}. */
    static long address(INDArray a) {
        return a.data().address() + a.offset() * a.dataType().width();
    }

    /**
     * Keeps arrays whose {@link #address} a native call used reachable until here: a copy made only
     * to get a dense address is otherwise garbage as soon as the address is read, and the collector
     * may free its memory while oneDNN still works in it. Call it after the native call.
     */
    static void keepAlive(Object... arrays) {
        java.lang.ref.Reference.reachabilityFence(arrays);
    }

    /** True when {@link #address} describes the array: float32 or bfloat16, C order, no gaps. */
    static boolean dense(INDArray a) {
        return (a.dataType() == DataType.FLOAT || a.dataType() == DataType.BFLOAT16) && a.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(a) && !a.isEmpty();
    }

    /** A raw address as a JavaCPP pointer, for {@code dnnl_memory_set_data_handle}. */
    static final class Address extends Pointer {
        /** oneDNN's DNNL_MEMORY_ALLOCATE: "allocate the buffer yourself". */
        static final Address ALLOCATE = new Address(-1L);

        Address(long address) {
            this.address = address;
        }

        void set(long address) {
            this.address = address;
        }
    }
}
