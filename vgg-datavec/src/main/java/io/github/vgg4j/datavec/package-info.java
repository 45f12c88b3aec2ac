/**
 * DataVec readers and iterators for the data VGG users bring: the CIFAR-10 binary distribution,
 * Kaggle cats-vs-dogs and class-per-folder image trees, MNIST-format idx files; normalisation and
 * augmentation saved with the model. (Filled by the vgg-datavec issue; depends on vgg-core only.)
 */
package io.github.vgg4j.datavec;
