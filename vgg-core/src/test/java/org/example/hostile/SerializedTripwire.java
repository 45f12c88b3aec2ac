package org.example.hostile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/**
 * A Java-serialised object whose deserialisation leaves a mark: the stand-in for a gadget in the
 * {@code preprocessor.bin} entry that DL4J's {@code ModelSerializer} reads with ObjectInputStream.
 */
public final class SerializedTripwire implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String MARK = "vgg4j.test.serialized-tripwire.deserialised";

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        System.setProperty(MARK, "true");
    }
}
