package io.github.vgg4j.datavec;

/**
 * An 8-bit image in planar (CHW) layout: all of channel 0, then channel 1, ...; each plane
 * row-major. Colour images are RGB. This is CIFAR-10's own record layout, so CIFAR records are
 * used without copying.
 */
public record RawImage(int channels, int height, int width, byte[] pixels) {

    public RawImage {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException("an image of " + channels + "x" + height + "x" + width + " needs "
                    + channels * height * width + " bytes, got " + pixels.length);
        }
    }

    /** Value 0..255 of channel {@code c} at row {@code y}, column {@code x}. */
    public int get(int c, int y, int x) {
        return pixels[(c * height + y) * width + x] & 0xff;
    }
}
