package io.github.vgg4j.examples;

import io.github.vgg4j.core.ModelSummary;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;

import java.util.Locale;

/**
 * Builds every configuration of the paper's Table 1 (A, A-LRN, B, C, D, E), with and without batch
 * norm, at 224x224 with the ImageNet head, and prints parameters and multiply-adds per image; then
 * the full layer table of VGG16 (D). Nothing is initialised: a summary needs only the configuration.
 *
 * <pre>./vgg example PrintSummaries</pre>
 */
public final class PrintSummaries {
    public static void main(String[] args) {
        System.out.printf("%-10s %-6s %14s %12s %14s%n", "config", "BN", "parameters", "GMACs/image", "activations");
        for (VggConfiguration c : VggConfiguration.values()) {
            for (boolean bn : new boolean[] {false, true}) {
                if (bn && c == VggConfiguration.A_LRN) {
                    continue; // LRN and batch norm do the same job; the paper's A-LRN has no BN variant
                }
                ModelSummary s = VGGBuilder.of(c).batchNorm(bn).summary();
                System.out.printf(Locale.ROOT, "%-10s %-6s %,14d %12.2f %11.1f MB%n", c.paperName(), bn ? "yes" : "no",
                        s.totalParams(), s.multiplyAdds() / 1e9, s.activationBytesPerImage() / 1e6);
            }
        }
        System.out.println();
        System.out.println(VGGBuilder.vgg16().summary().toText());
    }
}
