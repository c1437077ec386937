package org.modutils.insmod.deps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads kmod's binary index (see {@link IndexWriter} for the layout) the way libkmod does:
 * an exact search returns the first value of a key; the wildcard search walks the trie with
 * the key, and wherever a stored key turns into a pattern ('*', '?', '[') matches the rest with
 * fnmatch; every value found is kept in priority order (a later find before an equal priority).
 */
public final class IndexReader {
    /** A value and its priority. */
    public record Value(String text, int priority) {}

    private static final int FLAG_PREFIX = 0x80000000;
    private static final int FLAG_VALUES = 0x40000000;
    private static final int FLAG_CHILDS = 0x20000000;

    private final byte[] b;
    private final int root;

    private IndexReader(byte[] b) throws IOException {
        this.b = b;
        if (b.length < 12 || u32(0) != IndexWriter.MAGIC) throw new IOException("bad index magic");
        if ((u32(4) >>> 16) != (IndexWriter.VERSION >>> 16)) throw new IOException("bad index version");
        root = u32(8);
    }

    /** Opens an index file; null when it does not exist. */
    public static IndexReader open(Path p) throws IOException {
        if (!Files.exists(p)) return null;
        return new IndexReader(Files.readAllBytes(p));
    }

    private int u32(int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** One node, decoded. */
    private final class Node {
        final String prefix;
        final int first;
        final int last;
        final int childAt;
        final int valuesAt;

        Node(int offset) {
            int at = offset & 0x0FFFFFFF;
            String p = "";
            if ((offset & FLAG_PREFIX) != 0) {
                int end = at;
                while (b[end] != 0) end++;
                p = new String(b, at, end - at, StandardCharsets.ISO_8859_1);
                at = end + 1;
            }
            prefix = p;
            if ((offset & FLAG_CHILDS) != 0) {
                first = b[at] & 0xff;
                last = b[at + 1] & 0xff;
                childAt = at + 2;
                at += 2 + 4 * (last - first + 1);
            } else {
                first = 128;
                last = 0;
                childAt = -1;
            }
            valuesAt = (offset & FLAG_VALUES) != 0 ? at : -1;
        }

        Node child(int ch) {
            if (childAt < 0 || ch < first || ch > last) return null;
            int off = u32(childAt + 4 * (ch - first));
            return off == 0 ? null : new Node(off);
        }

        void values(List<Value> out) {
            if (valuesAt < 0) return;
            int n = u32(valuesAt);
            int at = valuesAt + 4;
            for (int k = 0; k < n; k++) {
                int prio = u32(at);
                int end = at + 4;
                while (b[end] != 0) end++;
                add(out, new Value(new String(b, at + 4, end - at - 4, StandardCharsets.ISO_8859_1), prio));
                at = end + 1;
            }
        }
    }

    /**
     * Every key and value, as libkmod's index dump writes them (modprobe -c): keys in the trie's
     * order (byte order), each value of a key on its own line "PREFIXKEY VALUE", in stored order.
     */
    public byte[] dump(String prefix) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StringBuilder key = new StringBuilder(prefix);
        dump(new Node(root), key, out);
        return out.toByteArray();
    }

    private void dump(Node node, StringBuilder key, java.io.ByteArrayOutputStream out) {
        int pushed = node.prefix.length();
        key.append(node.prefix);
        if (node.valuesAt >= 0) {
            byte[] k = key.toString().getBytes(StandardCharsets.ISO_8859_1);
            int n = u32(node.valuesAt);
            int at = node.valuesAt + 4;
            for (int i = 0; i < n; i++) {
                int end = at + 4;
                while (b[end] != 0) end++;
                out.write(k, 0, k.length);
                out.write(' ');
                out.write(b, at + 4, end - at - 4);
                out.write('\n');
                at = end + 1;
            }
        }
        for (int ch = node.first; ch <= node.last; ch++) {
            Node c = node.child(ch);
            if (c == null) continue;
            key.append((char) ch);
            dump(c, key, out);
            key.setLength(key.length() - 1);
        }
        key.setLength(key.length() - pushed);
    }

    private static void add(List<Value> out, Value v) {
        int i = 0;
        while (i < out.size() && Integer.compareUnsigned(out.get(i).priority(), v.priority()) < 0) i++;
        out.add(i, v);
    }

    /** The first value of {@code key}, or null. */
    public String search(String key) {
        Node node = new Node(root);
        int i = 0;
        while (node != null) {
            for (int j = 0; j < node.prefix.length(); j++) {
                if (i + j >= key.length() || node.prefix.charAt(j) != key.charAt(i + j)) return null;
            }
            i += node.prefix.length();
            if (i == key.length()) {
                List<Value> v = new ArrayList<>();
                node.values(v);
                return v.isEmpty() ? null : v.get(0).text();
            }
            node = node.child(key.charAt(i));
            i++;
        }
        return null;
    }

    /** Every value whose key, read as a pattern, matches {@code key}, in priority order. */
    public List<Value> searchWild(String key) {
        List<Value> out = new ArrayList<>();
        Node node = new Node(root);
        StringBuilder buf = new StringBuilder();
        int i = 0;
        while (node != null) {
            int j = 0;
            for (; j < node.prefix.length(); j++) {
                char ch = node.prefix.charAt(j);
                if (ch == '*' || ch == '?' || ch == '[') {
                    all(node, j, buf, key.substring(Math.min(key.length(), i + j)), out);
                    return out;
                }
                if (i + j >= key.length() || ch != key.charAt(i + j)) return out;
            }
            i += j;
            String rest = key.substring(Math.min(i, key.length()));
            for (char w : new char[] {'*', '?', '['}) {
                Node c = node.child(w);
                if (c == null) continue;
                buf.append(w);
                all(c, 0, buf, rest, out);
                buf.setLength(buf.length() - 1);
            }
            if (i >= key.length()) {
                node.values(out);
                return out;
            }
            node = node.child(key.charAt(i));
            i++;
        }
        return out;
    }

    private void all(Node node, int j, StringBuilder buf, String subkey, List<Value> out) {
        int pushed = node.prefix.length() - j;
        buf.append(node.prefix, j, node.prefix.length());
        for (int ch = node.first; ch <= node.last; ch++) {
            Node c = node.child(ch);
            if (c == null) continue;
            buf.append((char) ch);
            all(c, 0, buf, subkey, out);
            buf.setLength(buf.length() - 1);
        }
        if (node.valuesAt >= 0 && Fnmatch.matches(buf.toString(), subkey)) node.values(out);
        buf.setLength(buf.length() - pushed);
    }
}
