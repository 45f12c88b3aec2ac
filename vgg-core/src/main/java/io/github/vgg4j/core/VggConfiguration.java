package io.github.vgg4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network configurations of Simonyan &amp; Zisserman (2014), Table 1, as data: five blocks
 * of convolutions, each followed by a max-pool. Only the table differs between A and E; one
 * builder loop ({@link VGGBuilder}) turns any of them into layers.
 *
 * <table>
 *   <caption>Table 1 of the paper (conv&lt;kernel&gt;-&lt;channels&gt;; every block ends in a max-pool)</caption>
 *   <tr><th>name</th><th>weight layers</th><th>blocks</th></tr>
 *   <tr><td>A</td><td>11</td><td>1x64, 1x128, 2x256, 2x512, 2x512</td></tr>
 *   <tr><td>A-LRN</td><td>11</td><td>as A, with local response normalisation after the first conv</td></tr>
 *   <tr><td>B</td><td>13</td><td>2x64, 2x128, 2x256, 2x512, 2x512</td></tr>
 *   <tr><td>C</td><td>16</td><td>as B, plus a third, 1x1 conv in blocks 3, 4 and 5</td></tr>
 *   <tr><td>D</td><td>16</td><td>2x64, 2x128, 3x256, 3x512, 3x512</td></tr>
 *   <tr><td>E</td><td>19</td><td>2x64, 2x128, 4x256, 4x512, 4x512</td></tr>
 * </table>
 */
public enum VggConfiguration {
    A("A", "vgg11", false, ConvBlock.of(1, 64), ConvBlock.of(1, 128), ConvBlock.of(2, 256),
            ConvBlock.of(2, 512), ConvBlock.of(2, 512)),
    A_LRN("A-LRN", "vgg11-lrn", true, ConvBlock.of(1, 64), ConvBlock.of(1, 128), ConvBlock.of(2, 256),
            ConvBlock.of(2, 512), ConvBlock.of(2, 512)),
    B("B", "vgg13", false, ConvBlock.of(2, 64), ConvBlock.of(2, 128), ConvBlock.of(2, 256),
            ConvBlock.of(2, 512), ConvBlock.of(2, 512)),
    C("C", "vgg16-c", false, ConvBlock.of(2, 64), ConvBlock.of(2, 128), ConvBlock.withKernels(256, 3, 3, 1),
            ConvBlock.withKernels(512, 3, 3, 1), ConvBlock.withKernels(512, 3, 3, 1)),
    D("D", "vgg16", false, ConvBlock.of(2, 64), ConvBlock.of(2, 128), ConvBlock.of(3, 256),
            ConvBlock.of(3, 512), ConvBlock.of(3, 512)),
    E("E", "vgg19", false, ConvBlock.of(2, 64), ConvBlock.of(2, 128), ConvBlock.of(4, 256),
            ConvBlock.of(4, 512), ConvBlock.of(4, 512));

    private final String paperName;
    private final String modelName;
    private final boolean lrn;
    private final List<ConvBlock> blocks;

    VggConfiguration(String paperName, String modelName, boolean lrn, ConvBlock... blocks) {
        this.paperName = paperName;
        this.modelName = modelName;
        this.lrn = lrn;
        this.blocks = List.of(blocks);
    }

    /** The paper's name: A, A-LRN, B, C, D or E. */
    public String paperName() {
        return paperName;
    }

    /** The usual model name: vgg11, vgg11-lrn, vgg13, vgg16-c, vgg16, vgg19. */
    public String modelName() {
        return modelName;
    }

    /** Whether local response normalisation follows the first convolution (A-LRN only). */
    public boolean lrn() {
        return lrn;
    }

    public List<ConvBlock> blocks() {
        return blocks;
    }

    /** Number of weight layers (convolutions + 3 fully connected), as the paper counts them. */
    public int weightLayers() {
        return blocks.stream().mapToInt(ConvBlock::numConvs).sum() + 3;
    }

    /**
     * Parses a paper name (A, A-LRN, B, C, D, E; case and '-'/'_' insensitive) or a model name
     * (VGG11, VGG13, VGG16, VGG19).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static VggConfiguration parse(String name) {
        if (name != null) {
            String n = name.trim().toUpperCase(Locale.ROOT).replace('_', '-');
            for (VggConfiguration c : values()) {
                if (c.paperName.equals(n) || c.modelName.toUpperCase(Locale.ROOT).equals(n)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown VGG configuration '" + name + "': expected one of "
                + names() + " (or VGG11, VGG13, VGG16, VGG19)");
    }

    /** The accepted paper names, for messages and help texts. */
    public static String names() {
        List<String> names = new ArrayList<>();
        for (VggConfiguration c : values()) {
            names.add(c.paperName);
        }
        return String.join(", ", names);
    }
}
