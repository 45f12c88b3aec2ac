/**
 * DataVec readers and iterators for the data VGG users bring. The user API:
 * <ul>
 *   <li>{@link io.github.vgg4j.datavec.DataSources}: opens a path or URL as a
 *       {@link io.github.vgg4j.datavec.DataBundle} of {@link io.github.vgg4j.datavec.DataFormat}
 *       (CIFAR-10 binary: {@link io.github.vgg4j.datavec.Cifar10}; idx files:
 *       {@link io.github.vgg4j.datavec.Idx}; Kaggle cats-vs-dogs and class folders:
 *       {@link io.github.vgg4j.datavec.ImageFolder}), each split an
 *       {@link io.github.vgg4j.datavec.ImageDataset} of {@link io.github.vgg4j.datavec.RawImage}s;</li>
 *   <li>{@link io.github.vgg4j.datavec.TrainingData}: train/validation/test iterators
 *       ({@link io.github.vgg4j.datavec.ImageBatches}) with {@link io.github.vgg4j.datavec.Fit},
 *       {@link io.github.vgg4j.datavec.Augmentation} and normalisation, and the model information to
 *       save with a model; {@link io.github.vgg4j.datavec.DatasetRecordReader} for DataVec pipelines;</li>
 *   <li>{@link io.github.vgg4j.datavec.Predictor} (images read as the model was trained) and
 *       {@link io.github.vgg4j.datavec.KaggleSubmission};</li>
 *   <li>bad data: {@link io.github.vgg4j.datavec.BadDataException} names the file and the record,
 *       {@link io.github.vgg4j.datavec.SkippedFiles} lists what an epoch skipped,
 *       {@link io.github.vgg4j.datavec.DataLimits} the budgets a hostile file meets.</li>
 * </ul>
 * Depends on vgg-core only. {@code io.github.vgg4j.datavec.internal} is not API.
 */
package io.github.vgg4j.datavec;
