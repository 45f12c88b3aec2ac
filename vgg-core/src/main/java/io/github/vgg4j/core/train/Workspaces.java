package io.github.vgg4j.core.train;

import io.github.vgg4j.core.internal.Dl4jInternals;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Frees the memory in which DL4J's networks keep a training step's activations and an inference
 * pass's, between a phase of one kind and the other.
 *
 * <p>Why: these are per-thread workspaces that DL4J sizes to the largest use and never shrinks,
 * and the two kinds are different workspaces. A thread that trains and then evaluates holds both:
 * VGG16 at 224x224, batch 32, trained at 4,047 MiB resident; after two inference batches it held
 * 4,819 MiB (the 2 GB of training activations plus 2 x 411 MB of inference buffers), and training
 * went on with all of it. Freed, each phase is sized by its own needs; the next step of the other kind
 * allocates its workspace again (once per phase, not per step).
 */
public final class Workspaces {
    private Workspaces() {
    }

    /**
     * Frees this thread's activation workspaces (a network's training activations,
     * {@code WS_ALL_LAYERS_ACT}; its inference and error buffers, {@code WS_LAYER_ACT_*}: two in a
     * MultiLayerNetwork, numbered from 0 in a ComputationGraph), except one in use (called from
     * inside a training step it leaves that step's alone). Other threads' workspaces (e.g.
     * ParallelWrapper's workers) are not touched.
     */
    public static void releaseActivations() {
        MemoryWorkspaceManager manager = Nd4j.getWorkspaceManager();
        for (MemoryWorkspace ws : List.copyOf(manager.getAllWorkspacesForCurrentThread())) {
            String id = ws.getId();
            if ((id.equals(Dl4jInternals.TRAINING_ACTIVATIONS) || id.startsWith(Dl4jInternals.LAYER_ACTIVATIONS_PREFIX))
                    && !ws.isScopeActive()) {
                manager.destroyWorkspace(ws);
            }
        }
    }
}
