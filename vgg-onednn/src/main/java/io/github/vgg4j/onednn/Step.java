package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * One oneDNN primitive wired to ND4J's plain layouts: each operand is either handed over as it is
 * (when the primitive chose the plain layout) or reordered through a per-thread {@link Scratch}
 * buffer into the primitive's own layout before the call (inputs) or back after it (outputs).
 */
final class Step implements AutoCloseable {

    /** An operand as the caller sees it: which argument, in or out, its plain layout, its scratch role. */
    record Operand(int arg, boolean output, dnnl_memory_desc_t plain, Scratch.Role role) {
        static Operand in(int arg, dnnl_memory_desc_t plain, Scratch.Role role) {
            return new Operand(arg, false, plain, role);
        }

        static Operand out(int arg, dnnl_memory_desc_t plain, Scratch.Role role) {
            return new Operand(arg, true, plain, role);
        }
    }

    /** An operand as the primitive sees it, with the reorder between the two layouts if they differ. */
    private static final class Wired {
        final Operand operand;
        final dnnl_memory_desc_t inner;
        final long innerBytes;
        final dnnl_memory innerMemory;
        final dnnl_memory plainMemory;          // null when no reorder is needed
        final dnnl_primitive reorder;           // plain -> inner for inputs, inner -> plain for outputs
        final dnnl_exec_arg_t reorderArgs;
        final Dnnl.Address innerAddress = new Dnnl.Address(0);
        final Dnnl.Address plainAddress = new Dnnl.Address(0);
        // For outputs summed into the plain array (a batch in chunks): inner -> plain, dst += src.
        dnnl_memory sumInner;
        dnnl_memory sumPlain;
        dnnl_primitive sumReorder;
        dnnl_exec_arg_t sumArgs;

        Wired(Operand operand, dnnl_memory_desc_t inner) {
            this.operand = operand;
            this.inner = inner;
            this.innerBytes = Dnnl.bytes(inner);
            this.innerMemory = Dnnl.memory(inner);
            if (operand.plain == null || Dnnl.same(operand.plain, inner)) {
                plainMemory = null;
                reorder = null;
                reorderArgs = null;
            } else {
                plainMemory = Dnnl.memory(operand.plain);
                dnnl_primitive_desc rpd = new dnnl_primitive_desc();
                if (operand.output) {
                    Dnnl.check(dnnl_reorder_primitive_desc_create(rpd, inner, Dnnl.engine(), operand.plain, Dnnl.engine(), null),
                            "reorder to the plain layout");
                } else {
                    Dnnl.check(dnnl_reorder_primitive_desc_create(rpd, operand.plain, Dnnl.engine(), inner, Dnnl.engine(), null),
                            "reorder from the plain layout");
                }
                reorder = new dnnl_primitive();
                Dnnl.check(dnnl_primitive_create(reorder, rpd), "dnnl_primitive_create (reorder)");
                dnnl_primitive_desc_destroy(rpd);
                reorderArgs = new dnnl_exec_arg_t(2);
                reorderArgs.position(0).arg(DNNL_ARG_FROM).memory(operand.output ? innerMemory : plainMemory);
                reorderArgs.position(1).arg(DNNL_ARG_TO).memory(operand.output ? plainMemory : innerMemory);
                reorderArgs.position(0);
            }
        }

        boolean reorders() {
            return reorder != null;
        }

        /** Adds the primitive's output, in this thread's scratch buffer, to the plain array. */
        void accumulate(long plain, Scratch scratch, dnnl_stream stream) {
            if (sumReorder == null) {
                dnnl_primitive_attr attr = new dnnl_primitive_attr();
                Dnnl.check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create");
                dnnl_post_ops ops = new dnnl_post_ops();
                Dnnl.check(dnnl_post_ops_create(ops), "dnnl_post_ops_create");
                Dnnl.check(dnnl_post_ops_append_sum(ops, 1f), "sum post-op");
                Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
                dnnl_primitive_desc rpd = new dnnl_primitive_desc();
                Dnnl.check(dnnl_reorder_primitive_desc_create(rpd, inner, Dnnl.engine(), operand.plain, Dnnl.engine(), attr),
                        "accumulating reorder");
                sumReorder = new dnnl_primitive();
                Dnnl.check(dnnl_primitive_create(sumReorder, rpd), "dnnl_primitive_create (accumulating reorder)");
                dnnl_primitive_desc_destroy(rpd);
                dnnl_post_ops_destroy(ops);
                dnnl_primitive_attr_destroy(attr);
                sumInner = Dnnl.memory(inner);
                sumPlain = Dnnl.memory(operand.plain);
                sumArgs = new dnnl_exec_arg_t(2);
                sumArgs.position(0).arg(DNNL_ARG_FROM).memory(sumInner);
                sumArgs.position(1).arg(DNNL_ARG_TO).memory(sumPlain);
                sumArgs.position(0);
            }
            Dnnl.check(dnnl_memory_set_data_handle(sumInner, new Dnnl.Address(scratch.address(operand.role, innerBytes))), "set handle");
            Dnnl.check(dnnl_memory_set_data_handle(sumPlain, new Dnnl.Address(plain)), "set handle");
            Dnnl.check(dnnl_primitive_execute(sumReorder, stream, 2, sumArgs), "accumulating reorder");
        }

        void close() {
            if (reorder != null) {
                dnnl_primitive_destroy(reorder);
            }
            if (sumReorder != null) {
                dnnl_primitive_destroy(sumReorder);
            }
            Dnnl.free(sumInner);
            Dnnl.free(sumPlain);
            Dnnl.free(innerMemory);
            Dnnl.free(plainMemory);
        }
    }

    private final String name;
    private final dnnl_primitive_desc pd;
    private final dnnl_primitive primitive;
    private final List<Wired> operands = new ArrayList<>();
    private final dnnl_memory scratchpadMemory;
    private final long scratchpadBytes;
    private final Dnnl.Address scratchpadAddress = new Dnnl.Address(0);
    private final dnnl_exec_arg_t args;
    private final int nargs;

    /**
     * @param pd       the primitive's descriptor (this step owns it from now on)
     * @param inner    for each operand, the descriptor query that gives the primitive's layout
     *                 ({@code dnnl_query_*_md}), or -1 to use the operand's plain layout
     */
    Step(String name, dnnl_primitive_desc pd, List<Operand> operands, int[] inner) {
        this.name = name;
        this.pd = pd;
        this.primitive = new dnnl_primitive();
        Dnnl.check(dnnl_primitive_create(primitive, pd), "dnnl_primitive_create (" + name + ")");
        for (int i = 0; i < operands.size(); i++) {
            Operand o = operands.get(i);
            this.operands.add(new Wired(o, inner[i] < 0 ? o.plain : Dnnl.query(pd, inner[i])));
        }
        dnnl_memory_desc_t scratchpad = Dnnl.query(pd, dnnl_query_scratchpad_md);
        scratchpadBytes = Dnnl.bytes(scratchpad);
        scratchpadMemory = scratchpadBytes > 0 ? Dnnl.memory(scratchpad) : null;
        nargs = this.operands.size() + (scratchpadMemory != null ? 1 : 0);
        args = new dnnl_exec_arg_t(nargs);
        for (int i = 0; i < this.operands.size(); i++) {
            Wired w = this.operands.get(i);
            args.position(i).arg(w.operand.arg).memory(w.innerMemory);
        }
        if (scratchpadMemory != null) {
            args.position(nargs - 1).arg(DNNL_ARG_SCRATCHPAD).memory(scratchpadMemory);
        }
        args.position(0);
    }

    /**
     * diff_src = diff_dst * (dst > 0), all in the plain NCHW layout and one element type: a ReLU's
     * derivative read off its output. diff_src may be the same memory as diff_dst (oneDNN documents that) or as dst: oneDNN
     * does not document the latter, and vgg4j relies on its element-wise kernels reading both
     * inputs of an element before writing it ({@code FastPathTest} compares the errors written
     * this way with separately computed ones, to the bit).
     */
    static Step reluBackward(long[] nchw, DataType type) {
        dnnl_memory_desc_t plain = Dnnl.desc(nchw, dnnl_nchw, type);
        dnnl_eltwise_desc_t d = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_backward_desc_init(d, dnnl_eltwise_relu_use_dst_for_bwd, plain, plain, 0f, 0f),
                "dnnl_eltwise_backward_desc_init");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), null, Dnnl.engine(), null), "relu backward");
        return new Step("relu backward", pd, List.of(
                Operand.in(DNNL_ARG_DST, plain, null), Operand.in(DNNL_ARG_DIFF_DST, plain, null),
                Operand.out(DNNL_ARG_DIFF_SRC, plain, null)), new int[] {-1, -1, -1});
    }

    /** oneDNN's name for the implementation it picked, e.g. {@code jit_wino_4x3:avx512_core}. */
    String implementation() {
        PointerPointer<BytePointer> out = new PointerPointer<>(1);
        Dnnl.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out), "dnnl_primitive_desc_query");
        return out.get(BytePointer.class, 0).getString();
    }

    String name() {
        return name;
    }

    /** The primitive's layout for operand {@code i}. */
    dnnl_memory_desc_t inner(int i) {
        return operands.get(i).inner;
    }

    /** Bytes of scratch this step uses beyond its operands' plain arrays. */
    long scratchBytes() {
        long b = scratchpadBytes;
        for (Wired w : operands) {
            b += w.reorders() ? w.innerBytes : 0;
        }
        return b;
    }

    /**
     * Runs the step on plain arrays at the given addresses (one per operand, in order).
     *
     * @param ready      for each operand, true when its primitive-layout copy is already in this
     *                   thread's scratch buffer of its role (put there by an earlier step), or null
     * @param accumulate add the outputs to the plain arrays instead of overwriting them
     */
    void execute(long[] plainAddresses, boolean[] ready, boolean accumulate) {
        Scratch scratch = Scratch.forThisThread();
        var stream = Dnnl.stream();
        for (int i = 0; i < operands.size(); i++) {
            Wired w = operands.get(i);
            boolean viaScratch = w.reorders() || (accumulate && w.operand.output);
            if (viaScratch) {
                w.innerAddress.set(scratch.address(w.operand.role, w.innerBytes));
                Dnnl.check(dnnl_memory_set_data_handle(w.innerMemory, w.innerAddress), "set handle");
                if (w.reorders()) {
                    w.plainAddress.set(plainAddresses[i]);
                    Dnnl.check(dnnl_memory_set_data_handle(w.plainMemory, w.plainAddress), "set handle");
                    if (!w.operand.output && (ready == null || !ready[i])) {
                        Dnnl.check(dnnl_primitive_execute(w.reorder, stream, 2, w.reorderArgs), "reorder (" + name + ")");
                    }
                }
            } else {
                w.innerAddress.set(plainAddresses[i]);
                Dnnl.check(dnnl_memory_set_data_handle(w.innerMemory, w.innerAddress), "set handle");
            }
        }
        if (scratchpadMemory != null) {
            scratchpadAddress.set(scratch.address(Scratch.Role.SCRATCHPAD, scratchpadBytes));
            Dnnl.check(dnnl_memory_set_data_handle(scratchpadMemory, scratchpadAddress), "set handle");
        }
        Dnnl.check(dnnl_primitive_execute(primitive, stream, nargs, args), name);
        for (int i = 0; i < operands.size(); i++) {
            Wired w = operands.get(i);
            if (w.operand.output && accumulate) {
                w.accumulate(plainAddresses[i], scratch, stream);
            } else if (w.operand.output && w.reorders()) {
                Dnnl.check(dnnl_primitive_execute(w.reorder, stream, 2, w.reorderArgs), "reorder (" + name + ")");
            }
        }
        Dnnl.check(dnnl_stream_wait(stream), "dnnl_stream_wait");
    }

    /** Whether operand {@code i} goes through a scratch copy (so a later step may reuse that copy). */
    boolean reorders(int i) {
        return operands.get(i).reorders();
    }

    @Override
    public void close() {
        for (Wired w : operands) {
            w.close();
        }
        Dnnl.free(scratchpadMemory);
        dnnl_primitive_destroy(primitive);
        dnnl_primitive_desc_destroy(pd);
    }

    @Override
    public String toString() {
        return name + " [" + implementation() + "]";
    }
}
