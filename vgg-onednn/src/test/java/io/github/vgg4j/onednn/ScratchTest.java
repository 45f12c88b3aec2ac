package io.github.vgg4j.onednn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ScratchTest {
    /**
     * When the last algorithm choice of a thread is made, inside a kernel call, the buffers that
     * call's later steps read stay valid; they are freed at the start of the next kernel call.
     */
    @Test
    void buffersOutliveTheChoiceMadeInsideACallAndAreFreedAtTheNextCall() throws Exception {
        assumeOneDnn();
        // A thread of its own: its scratch and its count of undecided kernels start at zero.
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                choiceMadeMidCall();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    private static void choiceMadeMidCall() {
        Scratch scratch = Scratch.forThisThread();
        scratch.safePoint();
        scratch.measuring(+1);
        long error = scratch.address(Scratch.Role.INPUT_ERROR, 4096);
        scratch.measuring(-1); // the last candidate timed: a choice made mid-call
        assertEquals(error, scratch.address(Scratch.Role.INPUT_ERROR, 4096), "buffer replaced inside the call");
        assertTrue(scratch.bytes() >= 4096);
        scratch.safePoint(); // the next kernel call
        assertEquals(0, scratch.bytes(), "buffers kept after the choices were made");
    }

    private static void assumeOneDnn() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Dnnl.available(), "oneDNN did not load: " + Dnnl.unavailableReason());
    }
}
