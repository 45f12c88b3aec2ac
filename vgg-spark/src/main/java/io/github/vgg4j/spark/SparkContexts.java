package io.github.vgg4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.launcher.JavaModuleOptions;

import java.nio.ByteBuffer;
import java.util.Locale;

/** The Spark context of a run: Kryo with ND4J's registrator, and Java 17's module options checked first. */
final class SparkContexts {
    private SparkContexts() {
    }

    static JavaSparkContext create(String master) {
        requireModuleOptions();
        SparkConf conf = new SparkConf().setAppName("vgg4j");
        if (master != null) {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        // a broadcast network is one Kryo record: VGG16's parameters alone are 553 MB
        conf.setIfMissing("spark.kryoserializer.buffer.max", "2040m");
        conf.setIfMissing("spark.driver.maxResultSize", "0");
        if (conf.get("spark.master", "").toLowerCase(Locale.ROOT).startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return new JavaSparkContext(conf);
    }

    /**
     * Spark 3.5 reads NIO internals: on Java 17 the JVM that runs the driver (and, in local mode, the
     * executors) needs Spark's --add-opens. spark-submit adds them itself; a plain {@code java} must.
     */
    static void requireModuleOptions() {
        Module self = SparkContexts.class.getModule();
        if (!ByteBuffer.class.getModule().isOpen("java.nio", self) || !Object.class.getModule().isOpen("sun.nio.ch", self)) {
            throw new IllegalStateException("Spark on Java " + Runtime.version().feature() + " needs its module options in "
                    + "this JVM (spark-submit adds them itself): " + JavaModuleOptions.defaultModuleOptions());
        }
    }
}
