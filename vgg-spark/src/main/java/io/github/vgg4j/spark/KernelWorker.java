package io.github.vgg4j.spark;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

import java.util.Collection;

/**
 * DL4J's parameter-averaging worker, whose network runs vgg4j's kernels: DL4J rebuilds the network
 * on the executor from its configuration ({@code conf.clone()} and {@code init}), which gives
 * DL4J's own layers; {@link FastPath#apply} puts the kernels in before the first minibatch, computing
 * in the driver network's precision (an executor without native bfloat16 fails the task, saying why).
 */
final class KernelWorker extends ParameterAveragingTrainingWorker {
    private static final long serialVersionUID = 1L;

    private final Precision precision;

    KernelWorker(Broadcast<NetBroadcastTuple> broadcast, WorkerConfiguration configuration, Collection<TrainingHook> hooks,
                 Precision precision) {
        super(broadcast, true, configuration, hooks, null, null);
        this.precision = precision;
    }

    @Override
    public MultiLayerNetwork getInitialModel() {
        return FastPath.apply(super.getInitialModel(), precision);
    }

    @Override
    public ComputationGraph getInitialModelGraph() {
        return FastPath.apply(super.getInitialModelGraph(), precision);
    }
}
