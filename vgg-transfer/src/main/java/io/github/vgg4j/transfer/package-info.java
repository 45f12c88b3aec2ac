/**
 * Fine-tuning pretrained VGGs on your own classes: pretrained sources (DL4J zoo, Keras H5,
 * torchvision/timm safetensors), head replacement, freezing, featurize-then-train.
 * (Filled by the vgg-transfer issue; depends on vgg-core and vgg-datavec.)
 */
package io.github.vgg4j.transfer;
