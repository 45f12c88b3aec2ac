package io.github.vgg4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A data location as a local path. Plain paths (and file: URIs) are used as they are: on a cluster
 * they must be on a mount every machine has. hdfs://, s3a:// and other Hadoop file-system URIs are
 * copied once per machine (and per version: size and modification time) into
 * {@code java.io.tmpdir/vgg4j-spark-data} through Hadoop's FileSystem API, which the cluster's
 * Spark brings with its configuration and credentials; vgg-datavec's readers then read the copy.
 */
final class RemoteData {
    private RemoteData() {
    }

    static Path local(String location) throws IOException {
        URI uri = URI.create(location.replace(" ", "%20"));
        String scheme = uri.getScheme();
        if (scheme == null || scheme.length() == 1 || "file".equalsIgnoreCase(scheme)) { // length 1: a Windows drive
            return scheme == null || scheme.length() == 1 ? Path.of(location) : Path.of(uri);
        }
        FileSystem fs = FileSystem.get(uri, new Configuration());
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
        FileStatus status = fs.getFileStatus(remote); // FileNotFoundException names the path
        long size = status.isDirectory() ? fs.getContentSummary(remote).getLength() : status.getLen();
        String version = Long.toHexString(size * 31 + status.getModificationTime());
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "vgg4j-spark-data");
        Path target = root.resolve(Integer.toHexString(location.hashCode()) + "-" + version).resolve(remote.getName());
        if (Files.exists(target)) {
            return target; // complete: it appears only by the rename below
        }
        synchronized (RemoteData.class) {
            if (Files.exists(target)) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempDirectory(target.getParent(), ".partial-");
            fs.copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(partial.resolve(remote.getName()).toUri()), true);
            Files.move(partial.resolve(remote.getName()), target, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(partial);
            return target;
        }
    }
}
