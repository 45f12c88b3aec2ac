package io.github.vgg4j.arbiter;

import io.github.vgg4j.datavec.TrainingData;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a resumed search must share with the run that wrote the folder: short, comparable descriptions. */
final class Fingerprints {

    private Fingerprints() {
    }

    static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    /** The data as the candidates see it: source, classes, input, preprocessing, augmentation and the exact split. */
    static Map<String, String> data(TrainingData data) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", data.bundle().source());
        d.put("labels", String.join(",", data.labels()));
        d.put("input", Arrays.toString(data.inputShape()));
        d.put("preprocessing", String.valueOf(data.preprocessing()));
        d.put("augmentation", String.valueOf(data.train().augmentation()));
        d.put("trainExamples", String.valueOf(data.train().numExamples()));
        d.put("validationExamples", String.valueOf(data.validation() == null ? 0 : data.validation().numExamples()));
        d.put("split", indices(data.train().indices()) + "/" + indices(data.validationIndices()));
        return d;
    }

    private static String indices(int[] indices) {
        if (indices == null) {
            return "-";
        }
        MessageDigest sha = digest();
        ByteBuffer b = ByteBuffer.allocate(4);
        for (int i : indices) {
            sha.update(b.putInt(0, i).array());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
