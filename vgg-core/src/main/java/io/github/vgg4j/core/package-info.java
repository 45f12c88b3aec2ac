/**
 * VGG networks for Deeplearning4j. The user API, all of it:
 * <ul>
 *   <li>{@link io.github.vgg4j.core.VGGBuilder}: the paper's configurations A, A-LRN, B, C, D, E
 *       (VGG11/13/16/19) with batch norm, any input, width and head ({@link io.github.vgg4j.core.Head}),
 *       as a {@code MultiLayerConfiguration}, {@code MultiLayerNetwork} or named {@code ComputationGraph};
 *       {@link io.github.vgg4j.core.VggConfiguration} and {@link io.github.vgg4j.core.ConvBlock} are the
 *       configurations as data, {@link io.github.vgg4j.core.InitScheme} and
 *       {@link io.github.vgg4j.core.Precision} the choices beside them;</li>
 *   <li>{@link io.github.vgg4j.core.FastPath}: vgg4j's kernels in any network (one made by DL4J's
 *       {@code TransferLearning} or {@code ModelSerializer} too); {@link io.github.vgg4j.core.ModelSummary}
 *       and {@link io.github.vgg4j.core.InputCheck};</li>
 *   <li>{@code zoo}: {@code Vgg11}, {@code Vgg13}, {@code Vgg16}, {@code Vgg19}, DL4J zoo models;</li>
 *   <li>{@code io}: {@code ModelFiles} (save and load with labels and preprocessing, safely),
 *       {@code ModelInfo}, {@code Preprocessing};</li>
 *   <li>{@code train}: {@code Trainer} with {@code TrainingOptions}, {@code LearningRateSchedule},
 *       {@code DivergenceGuard}, {@code TrainingProgress}, {@code EpochResult}; {@code Evaluator} and
 *       {@code EvaluationReport}; {@code Workspaces} (frees DL4J's per-thread buffers); {@code EpochIterator} and {@code TrainingSteps} for other data and
 *       other trainers (vgg-datavec, vgg-spark);</li>
 *   <li>{@code spi}: {@code KernelProvider}, what a backend module such as vgg-onednn implements.</li>
 * </ul>
 * {@code io.github.vgg4j.core.internal} is for vgg4j's own modules only and not API: it may change
 * in any release.
 */
package io.github.vgg4j.core;
