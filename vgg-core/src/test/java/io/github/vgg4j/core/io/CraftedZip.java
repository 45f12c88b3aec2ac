package io.github.vgg4j.core.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes zip files byte by byte, so that tests can make the ones no zip library writes: local
 * entries the central directory does not list, two entries of one name, a central directory that
 * points at other bytes. Entries are STORED (no compression, sizes in the local header).
 */
public final class CraftedZip {
    private final ByteArrayOutputStream local = new ByteArrayOutputStream();
    private final List<byte[]> central = new ArrayList<>();

    /** Appends a local entry and lists it in the central directory. */
    public CraftedZip entry(String name, byte[] data) {
        return entry(name, data, true);
    }

    /** Appends a local entry; {@code listed} false hides it from the central directory. */
    public CraftedZip entry(String name, byte[] data, boolean listed) {
        int offset = local.size();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        ByteBuffer h = le(30 + n.length);
        h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x800).putShort((short) 0).putInt(0)
                .putInt((int) crc.getValue()).putInt(data.length).putInt(data.length).putShort((short) n.length).putShort((short) 0)
                .put(n);
        local.writeBytes(h.array());
        local.writeBytes(data);
        if (listed) {
            ByteBuffer c = le(46 + n.length);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x800).putShort((short) 0).putInt(0)
                    .putInt((int) crc.getValue()).putInt(data.length).putInt(data.length).putShort((short) n.length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset).put(n);
            central.add(c.array());
        }
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(local.toByteArray());
        int start = out.size();
        for (byte[] c : central) {
            out.writeBytes(c);
        }
        int size = out.size() - start;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) central.size())
                .putShort((short) central.size()).putInt(size).putInt(start).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
