package io.github.vgg4j.transfer;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MemoryCheckTest {

    @Test
    void aNetworkLargerThanTheOffHeapLimitFailsBeforeAllocatingAndNamesTheSetting() {
        long params = Pointer.maxBytes() / 4 + 1; // more floats than the limit holds
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> MemoryCheck.beforeAllocating(params, "VGG16"));
        assertTrue(e.getMessage().contains("-Dorg.bytedeco.javacpp.maxbytes") && e.getMessage().contains("VGG_JAVA_OPTS")
                && e.getMessage().contains("VGG16"), e.getMessage());
        MemoryCheck.beforeAllocating(138_357_544L, "VGG16"); // fits in the test JVM's 8 GB
    }

    @Test
    void aModelFileLargerThanTheHeapNamesXmx() {
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                () -> MemoryCheck.requireHeap(Runtime.getRuntime().maxMemory() * 2, "loading vgg16.zip"));
        assertTrue(e.getMessage().contains("raise -Xmx") && e.getMessage().contains("loading vgg16.zip"), e.getMessage());
    }

    @Test
    void javacppAllocationFailuresAreTranslatedIntoTheSettingToRaise() {
        InsufficientMemoryException bytes = MemoryCheck.explain("loading vgg16.zip", new OutOfMemoryError(
                "Cannot allocate new FloatPointer(138357544): totalBytes = 1G, physicalBytes = 2G"));
        assertTrue(bytes.getMessage().contains("FloatPointer(138357544)") && bytes.getMessage().contains("raise -Dorg.bytedeco.javacpp.maxbytes"),
                bytes.getMessage());
        InsufficientMemoryException physical = MemoryCheck.explain("training", new OutOfMemoryError(
                "Physical memory usage is too high: physicalBytes (20G) > maxPhysicalBytes (20G)"));
        assertTrue(physical.getMessage().contains("raise -Dorg.bytedeco.javacpp.maxphysicalbytes"), physical.getMessage());
        InsufficientMemoryException heap = MemoryCheck.explain("loading", new OutOfMemoryError("Java heap space"));
        assertTrue(heap.getMessage().contains("raise -Xmx"), heap.getMessage());
        assertFalse(heap.getMessage().contains("\n"));
    }
}
