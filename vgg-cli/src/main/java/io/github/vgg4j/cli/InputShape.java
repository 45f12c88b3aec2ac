package io.github.vgg4j.cli;

import picocli.CommandLine;

/** {@code CxHxW} on the command line, e.g. {@code 3x224x224}. */
record InputShape(int channels, int height, int width) {

    static InputShape of(int[] chw) {
        return new InputShape(chw[0], chw[1], chw[2]);
    }

    int[] toArray() {
        return new int[] {channels, height, width};
    }

    static InputShape parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length == 3) {
            try {
                return new InputShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not CxHxW: expected e.g. 3x224x224 or 1x32x32");
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }

    static final class Converter implements CommandLine.ITypeConverter<InputShape> {
        @Override
        public InputShape convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
