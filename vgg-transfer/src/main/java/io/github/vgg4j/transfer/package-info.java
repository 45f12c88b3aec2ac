/**
 * Fine-tuning pretrained VGGs on your own classes.
 * <ul>
 *   <li>{@link io.github.vgg4j.transfer.Pretrained}: the sources (DL4J's zoo files, Keras H5,
 *       torchvision/timm safetensors, saved models), each with the preprocessing its weights expect,
 *       as a {@link io.github.vgg4j.transfer.PretrainedModel};</li>
 *   <li>{@link io.github.vgg4j.transfer.FineTune}: a new head, frozen layers, the optimizer of the
 *       rest, for MultiLayerNetworks and ComputationGraphs alike, giving a
 *       {@link io.github.vgg4j.transfer.TransferModel};</li>
 *   <li>{@link io.github.vgg4j.transfer.FineTuner}: the whole run on a data set, the head trained on
 *       cached features of the frozen part, optionally a second stage with the last block unfrozen,
 *       giving a {@link io.github.vgg4j.transfer.FineTuneResult}.</li>
 * </ul>
 * Depends on vgg-core and vgg-datavec; bad weight files raise
 * {@link io.github.vgg4j.transfer.WeightsFileException}, models too large for the configured memory
 * {@link io.github.vgg4j.transfer.InsufficientMemoryException}.
 */
package io.github.vgg4j.transfer;
