package io.github.vgg4j.cli;

import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.DataFormat;
import io.github.vgg4j.datavec.DataSources;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Mixin: --data and --format, any source vgg-datavec reads, detected unless forced. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "PATH", required = true,
            description = "cifar-10-binary.tar.gz or cifar-10-batches-bin/, a folder of idx files, a Kaggle "
                    + "dogs-vs-cats folder (cat.0.jpg), a class-per-subfolder tree (optionally with train/ and "
                    + "test/ or val/), or a .zip/.tar.gz of one.")
    Path data;

    @Option(names = "--format", paramLabel = "cifar10|idx|kaggle|folder", converter = Converters.Format.class,
            description = "Force the data format instead of detecting it.")
    DataFormat format;

    DataBundle open() throws IOException {
        return DataSources.open(data, format);
    }
}
