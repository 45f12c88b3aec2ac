package io.github.vgg4j.cli.report;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FeatureProjectionTest {
    @Test
    void theComponentsAreTheDirectionsOfLargestVariance() {
        // variance 9 along (1,1,0,0)/sqrt2, 1 along (1,-1,0,0)/sqrt2, 0.01 elsewhere; offset mean
        Random r = new Random(3);
        int n = 4000;
        double[][] x = new double[n][4];
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = 3 * r.nextGaussian();
            double b = r.nextGaussian();
            x[i][0] = 5 + (a[i] + b) / Math.sqrt(2);
            x[i][1] = -2 + (a[i] - b) / Math.sqrt(2);
            x[i][2] = 0.1 * r.nextGaussian();
            x[i][3] = 0.1 * r.nextGaussian();
        }
        FeatureProjection.Projection p = FeatureProjection.pca(x, 1);
        double total = 9 + 1 + 0.02;
        assertEquals(9 / total, p.explainedVariance()[0], 0.02);
        assertEquals(1 / total, p.explainedVariance()[1], 0.01);
        double corr = 0;
        for (int i = 0; i < n; i++) {
            corr += p.points()[i][0] * a[i];
        }
        corr /= n * 9;
        assertEquals(1, Math.abs(corr), 0.02, "PC1 is the (1,1) direction, up to sign");
    }
}
