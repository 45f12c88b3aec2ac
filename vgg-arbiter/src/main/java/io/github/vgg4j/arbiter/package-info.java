/**
 * Hyperparameter search (learning rate, momentum, ...) over VGGBuilder and fine-tuning options,
 * with Arbiter 1.0.0-beta7 underneath. (Filled by the vgg-arbiter issue.)
 */
package io.github.vgg4j.arbiter;
