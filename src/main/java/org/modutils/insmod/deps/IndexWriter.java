package org.modutils.insmod.deps;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary index kmod reads (modules.dep.bin, modules.alias.bin, ...): a radix trie over
 * 7-bit ASCII keys, each key holding values ordered by priority. Layout, all integers 32-bit
 * big-endian: magic 0xB007F457, version 0x00020001, the root node's offset, then the nodes,
 * each written after its children (post-order, as kmod 30's depmod writes them). A node offset
 * carries flags in its top nibble: 0x80000000 a NUL-terminated prefix follows, 0x20000000
 * child offsets follow (first and last child character, then last-first+1 offsets, 0 for a
 * missing child), 0x40000000 values follow (count, then priority and NUL-terminated value each).
 */
public final class IndexWriter {
    static final int MAGIC = 0xB007F457;
    static final int VERSION = 0x00020001;
    private static final int CHILDMAX = 128;
    private static final int FLAG_PREFIX = 0x80000000;
    private static final int FLAG_VALUES = 0x40000000;
    private static final int FLAG_CHILDS = 0x20000000;

    private static final class Value {
        final byte[] text;
        final int priority;
        Value next;

        Value(byte[] text, int priority) {
            this.text = text;
            this.priority = priority;
        }
    }

    private static final class Node {
        byte[] prefix;
        Value values;
        int first = CHILDMAX;
        int last;
        Node[] children;

        Node(byte[] prefix) {
            this.prefix = prefix;
        }

        Node child(int c) {
            return children == null ? null : children[c];
        }

        void setChild(int c, Node n) {
            if (children == null) children = new Node[CHILDMAX];
            children[c] = n;
            if (c < first) first = c;
            if (c > last) last = c;
        }
    }

    /** A key or value with a byte of 128 or more: kmod's index holds 7-bit ASCII only. */
    public static final class BadCharacterException extends RuntimeException {
        public BadCharacterException(String message) {
            super(message, null, false, false);
        }
    }

    private final Node root = new Node(new byte[0]);

    /**
     * Adds {@code value} under {@code key} with {@code priority} (unsigned); among equal
     * priorities the newest value comes first, as in kmod. Returns whether the key already held
     * an equal value (what depmod -w reports).
     */
    public boolean insert(String key, String value, int priority) {
        byte[] k = ascii(key);
        byte[] v = ascii(value);
        Node node = root;
        int i = 0;
        while (true) {
            int j = 0;
            for (; j < node.prefix.length; j++) {
                int ch = node.prefix[j];
                if (i + j >= k.length || ch != k[i + j]) {
                    split(node, j);
                    break;
                }
            }
            i += j;
            if (i == k.length) return addValue(node, v, priority);
            int ch = k[i];
            Node child = node.child(ch);
            if (child == null) {
                child = new Node(Arrays.copyOfRange(k, i + 1, k.length));
                node.setChild(ch, child);
                addValue(child, v, priority);
                return false;
            }
            node = child;
            i++;
        }
    }

    /** Node keeps prefix[0..j); a new child at prefix[j] takes the rest and everything below. */
    private static void split(Node node, int j) {
        Node moved = new Node(Arrays.copyOfRange(node.prefix, j + 1, node.prefix.length));
        moved.values = node.values;
        moved.first = node.first;
        moved.last = node.last;
        moved.children = node.children;
        int ch = node.prefix[j];
        node.prefix = Arrays.copyOf(node.prefix, j);
        node.values = null;
        node.children = null;
        node.first = CHILDMAX;
        node.last = 0;
        node.setChild(ch, moved);
    }

    private static boolean addValue(Node node, byte[] v, int priority) {
        boolean duplicate = false;
        for (Value x = node.values; x != null; x = x.next) {
            if (Arrays.equals(x.text, v)) duplicate = true;
        }
        Value nv = new Value(v, priority);
        if (node.values == null || Integer.compareUnsigned(node.values.priority, priority) >= 0) {
            nv.next = node.values;
            node.values = nv;
            return duplicate;
        }
        Value at = node.values;
        while (at.next != null && Integer.compareUnsigned(at.next.priority, priority) < 0) at = at.next;
        nv.next = at.next;
        at.next = nv;
        return duplicate;
    }

    private static byte[] ascii(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte c : b) {
            if (c < 0) {
                throw new BadCharacterException("Module index: bad character '" + (char) (c & 0xff) + "'=0x"
                        + Integer.toHexString(c) + " - only 7-bit ASCII is supported:\n" + s);
            }
        }
        return b;
    }

    /** The index file's bytes. */
    public byte[] toBytes() {
        Out out = new Out();
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(0);
        int rootOffset = write(root, out);
        out.patch(8, rootOffset);
        return out.bytes();
    }

    private static int write(Node node, Out out) {
        int[] childOffsets = null;
        if (node.first < CHILDMAX) {
            childOffsets = new int[node.last - node.first + 1];
            for (int c = node.first; c <= node.last; c++) {
                Node child = node.children[c];
                childOffsets[c - node.first] = child == null ? 0 : write(child, out);
            }
        }
        int offset = out.size();
        if (node.prefix.length > 0) {
            out.bytes(node.prefix);
            out.u8(0);
            offset |= FLAG_PREFIX;
        }
        if (childOffsets != null) {
            out.u8(node.first);
            out.u8(node.last);
            for (int o : childOffsets) out.u32(o);
            offset |= FLAG_CHILDS;
        }
        if (node.values != null) {
            int count = 0;
            for (Value v = node.values; v != null; v = v.next) count++;
            out.u32(count);
            for (Value v = node.values; v != null; v = v.next) {
                out.u32(v.priority);
                out.bytes(v.text);
                out.u8(0);
            }
            offset |= FLAG_VALUES;
        }
        return offset;
    }

    /** A growable big-endian byte buffer. */
    private static final class Out {
        private byte[] buf = new byte[1 << 16];
        private int size;

        int size() {
            return size;
        }

        private void room(int n) {
            if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }

        void u8(int v) {
            room(1);
            buf[size++] = (byte) v;
        }

        void u32(int v) {
            room(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        void bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void patch(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, size);
        }
    }
}
