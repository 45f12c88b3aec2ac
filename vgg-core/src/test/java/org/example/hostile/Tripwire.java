package org.example.hostile;

/**
 * A class outside the model-class allowlist whose static initialiser leaves a mark: the stand-in
 * for a class a hostile model file names (in the field, e.g. org.bytedeco.ffmpeg.global.avutil,
 * whose initialiser extracts and loads native libraries). It extends nothing: Jackson would reject
 * it as a subtype, but only after loading and initialising it, which is the attack.
 */
public final class Tripwire {
    public static final String MARK = "vgg4j.test.tripwire.initialised";

    static {
        System.setProperty(MARK, "true");
    }

    private Tripwire() {
    }
}
