package io.github.vgg4j.spark;

import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Augmentation;
import io.github.vgg4j.datavec.DataFormat;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;

import java.io.Serializable;

/**
 * How an executor reads its share of the training set exactly as the driver's iterator would: the
 * data's location (a path every executor can read, or an hdfs:// / s3a:// URI), its format, the
 * fit, augmentation, normalisation and seed of the training iterator. Records of vgg-datavec are
 * not Serializable, so their fields travel here.
 */
record DataRecipe(String location, DataFormat format, int batchSize, long seed,
                  int channels, int height, int width, boolean training, double cropPct, int minScale, int maxScale,
                  boolean pad, int cropPadding, boolean flip,
                  String normName, Preprocessing.ChannelOrder channelOrder, double scale, double[] mean, double[] std)
        implements Serializable {

    static DataRecipe of(String location, DataFormat format, ImageBatches train, int batchSize) {
        Fit f = train.fit();
        Augmentation a = train.augmentation();
        Preprocessing p = train.preprocessing();
        return new DataRecipe(location, format, batchSize, train.seed(), f.channels(), f.height(), f.width(), f.training(),
                f.cropPct(), f.minScale(), f.maxScale(), f.pad(), a.cropPadding(), a.horizontalFlip(), p.name(), p.channelOrder(),
                p.scale(), p.mean(), p.std());
    }

    Fit fit() {
        return new Fit(channels, height, width, training, cropPct, minScale, maxScale, pad);
    }

    Augmentation augmentation() {
        return new Augmentation(cropPadding, flip);
    }

    Preprocessing preprocessing() {
        return new Preprocessing(normName, channelOrder, scale, mean, std);
    }
}
