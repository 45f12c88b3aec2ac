package io.github.vgg4j.datavec.internal;

import java.nio.file.Path;

/**
 * Where downloaded datasets are kept: {@code -Dvgg4j.data.dir}, else the environment variable
 * {@code VGG4J_DATA_DIR}, else {@code ~/.vgg4j/datasets}.
 */
public final class DatasetCache {
    public static final String PROPERTY = "vgg4j.data.dir";
    public static final String ENVIRONMENT = "VGG4J_DATA_DIR";

    private DatasetCache() {
    }

    public static Path root() {
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(ENVIRONMENT);
        }
        if (dir == null || dir.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".vgg4j", "datasets");
        }
        return Path.of(dir);
    }
}
