package io.github.vgg4j.core;

/**
 * How weights start. Deep VGGs are sensitive to this: configuration D or E without batch norm,
 * started from the paper's small N(0, 0.01), typically stays at chance for many epochs (the paper
 * avoided that by initialising deep nets from a trained shallow one). He initialisation fixes it.
 */
public enum InitScheme {
    /** He et al. (2015) normal, fan-in, for every ReLU layer; Xavier for the softmax layer. Default. */
    HE,
    /** The paper's random init: every weight N(0, 0.01), biases 0. */
    PAPER_NORMAL,
    /** Glorot/Xavier (Keras' default) for every layer. */
    XAVIER
}
