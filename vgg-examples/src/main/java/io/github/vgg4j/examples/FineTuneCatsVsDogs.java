package io.github.vgg4j.examples;

import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.KaggleSubmission;
import io.github.vgg4j.datavec.Predictor;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.FineTuneResult;
import io.github.vgg4j.transfer.FineTuner;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;

import java.nio.file.Path;
import java.util.List;

/**
 * Fine-tunes ImageNet VGG16 (DL4J's zoo file: downloaded once into DL4J's cache and verified) on
 * Kaggle's dogs-vs-cats {@code train/} folder ({@code cat.0.jpg}, {@code dog.12.jpg}), then writes
 * a Kaggle submission for {@code test1/} ({@code id,label}, label = probability of "dog").
 * All conv blocks are frozen and computed once (cached on disk); the head trains on the cache.
 *
 * <pre>./vgg example FineTuneCatsVsDogs dogs-vs-cats/train dogs-vs-cats/test1 [BASE] [OUT_FOLDER]</pre>
 * BASE: zoo:vgg16 (default), a Keras .h5, a torchvision .safetensors or a vgg4j model .zip.
 * OUT_FOLDER (default: the current one) receives the feature cache, the model and submission.csv.
 */
public final class FineTuneCatsVsDogs {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FineTuneCatsVsDogs TRAIN_FOLDER TEST1_FOLDER [zoo:vgg16|FILE] [OUT_FOLDER]");
            System.exit(2);
        }
        PretrainedModel vgg16 = Pretrained.open(args.length > 2 ? args[2] : "zoo:vgg16");
        Path out = Path.of(args.length > 3 ? args[3] : ".");
        FineTuneResult result = FineTuner.of(FineTune.of(vgg16).freezeThrough("block5_pool").learningRate(1e-3))
                .epochs(10).batchSize(32).validationFraction(0.1).cacheDirectory(out.resolve("feature-cache"))
                .fit(DataSources.open(Path.of(args[0]), null));
        System.out.printf("validation accuracy %.4f%n", result.validation().accuracy());
        Path model = out.resolve("cats-vs-dogs-vgg16.zip");
        result.model().save(model);

        // the test images are read as the fine-tuning evaluated: the model's input size, crop and preprocessing
        Predictor predictor = Predictor.open(model);
        List<KaggleSubmission.Row> rows = predictor.predict(List.of(Path.of(args[1]))).stream()
                .map(p -> new KaggleSubmission.Row(KaggleSubmission.id(p.file()), p.probability("dog"))).toList();
        KaggleSubmission.write(out.resolve("submission.csv"), rows, 0.005);
        System.out.printf("model %s, submission.csv with %d rows%n", model, rows.size());
    }
}
