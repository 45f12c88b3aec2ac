package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Real images: Debian's dataset-fashion-mnist (.ci/run installs it). */
class FashionMnistTest {

    @Test
    void theDebianPackageLoadsAsSixtyThousandAndTenThousandBalancedImages() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Idx.DEBIAN_FASHION_MNIST),
                "skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in "
                        + Idx.DEBIAN_FASHION_MNIST + ")");
        DataBundle fashion = Idx.open(Idx.locateFashionMnist());
        assertEquals(60_000, fashion.train().size());
        assertEquals(10_000, fashion.test().size());
        int[] train = Splits.classCounts(fashion.train(), Splits.all(fashion.train()));
        int[] test = Splits.classCounts(fashion.test(), Splits.all(fashion.test()));
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        int[] oneThousand = new int[10];
        Arrays.fill(oneThousand, 1000);
        assertArrayEquals(sixThousand, train);
        assertArrayEquals(oneThousand, test);
        assertEquals("Ankle boot", fashion.labels().get(9));
        RawImage first = fashion.train().read(0, null, null);
        assertEquals(28, first.width());
        assertEquals(9, fashion.train().label(0)); // the first training image of Fashion-MNIST is an ankle boot
    }
}
