package io.github.vgg4j.arbiter;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a search space meets the data: built once per search, it turns each candidate into a
 * network to train with its training and validation batches ({@link Trial}).
 */
interface Trials extends AutoCloseable {

    /** What results.json records about the model template and the data, so that a resume can check them. */
    Map<String, String> describe();

    Trial prepare(Hyperparameters hyperparameters) throws IOException;

    @Override
    void close();

    /** One candidate's network and data. */
    interface Trial extends AutoCloseable {
        MultiLayerNetwork network();

        DataSetIterator train();

        DataSetIterator validation();

        List<String> labels();

        /** Saves the whole model as it stands (labels, preprocessing, and {@code properties} in its info). */
        void save(Path file, Map<String, String> properties) throws IOException;

        @Override
        void close();
    }
}
