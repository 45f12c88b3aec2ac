package io.github.vgg4j.cli.report;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The feature maps of one image at a convolution or pooling layer, one grey tile per channel
 * (each scaled to its own range: bright = strong response), the most active channels first.
 */
public final class FeatureMaps {
    private FeatureMaps() {
    }

    /** @param activations [1, channels, h, w]; returns the number of maps drawn */
    public static int write(Path png, String title, INDArray activations, int maxChannels) throws IOException {
        if (activations.rank() != 4) {
            throw new IllegalArgumentException("feature maps need a convolution or pooling layer (activations [1, C, H, W]); "
                    + "this layer's output has shape " + java.util.Arrays.toString(activations.shape()));
        }
        int c = (int) activations.size(1);
        int h = (int) activations.size(2);
        int w = (int) activations.size(3);
        INDArray maps = activations.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).reshape(c, (long) h * w);
        double[] mean = maps.mean(1).toDoubleVector();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(mean[b], mean[a]));
        int n = Math.min(maxChannels, c);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int ch = order.get(k);
            tiles.add(new ImageGrid.Tile(ImageGrid.toImage(maps.getRow(ch).toFloatVector(), h, w), "channel " + ch, null));
        }
        int columns = (int) Math.ceil(Math.sqrt(n));
        ImageGrid.write(png, title + " (" + n + " of " + c + " channels, most active first)", tiles, columns,
                Math.max(64, Math.min(128, 8 * h)));
        return n;
    }
}
