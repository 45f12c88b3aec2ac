package io.github.vgg4j.examples;

import io.github.vgg4j.datavec.Predictor;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Imports torchvision's VGG weights from a {@code .safetensors} file (the format the Hugging Face
 * hub serves; key names {@code features.N.*}, {@code classifier.0|3|6.*}; the configuration, VGG11
 * to VGG19, and batch norm are read from the file) into a vgg4j network that computes the same
 * function, saves it beside the weights ({@code vgg16.zip} for {@code vgg16.safetensors}) with
 * torchvision's preprocessing (RGB, /255, ImageNet mean/std) and prints the top-5 classes of each
 * image, read as torchvision reads them (shorter side to 256, centre 224 crop).
 *
 * <pre>./vgg example ImportTorchvisionAndPredict vgg16.safetensors IMAGE|FOLDER...</pre>
 * (python3 -c "import torch, torchvision; from safetensors.torch import save_file;
 *  save_file(torchvision.models.vgg16(weights='DEFAULT').state_dict(), 'vgg16.safetensors')")
 */
public final class ImportTorchvisionAndPredict {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ImportTorchvisionAndPredict WEIGHTS.safetensors IMAGE|FOLDER...");
            System.exit(2);
        }
        Path weights = Path.of(args[0]);
        PretrainedModel vgg = Pretrained.torchvision(weights, null, null, 224, 224, null);
        Path model = weights.resolveSibling(weights.getFileName().toString().replaceFirst("\\.safetensors$", "") + ".zip");
        vgg.save(model);
        System.out.printf("%s: %s, %d classes -> %s%n", weights, vgg.info().architecture(), vgg.info().labels().size(), model);

        Predictor predictor = Predictor.open(model);
        List<Path> images = Stream.of(args).skip(1).map(Path::of).toList();
        for (Predictor.Prediction p : predictor.predict(images)) {
            System.out.println(p.file());
            p.top(5).forEach(r -> System.out.printf("  %-30s %.4f%n", r.label(), r.probability()));
        }
        predictor.skipped().entries().forEach(e -> System.out.printf("skipped %s: %s%n", e.id(), e.reason()));
    }
}
