package org.modutils.insmod.modinfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.modutils.insmod.deps.Fnmatch;

/**
 * Reads depmod's binary indexes ({@code modules.dep.bin}, {@code modules.alias.bin},
 * {@code modules.builtin.bin} ...): a trie stored big-endian behind the header
 * {@code magic 0xB007F457, version 2.x, root offset}. A node reference keeps flags in its top
 * four bits (prefix, values, children) and the node's offset in the rest; a node holds a
 * NUL-terminated prefix, a child table {@code first, last, offsets[]} and values
 * {@code count, (priority, NUL-terminated string)*}. Lookups as libkmod does them: exact
 * ({@link #search}) and with the stored keys as fnmatch patterns ({@link #searchWild}).
 * Strings are kept as ISO-8859-1 so every byte survives.
 */
public final class IndexFile {
    private static final int MAGIC = 0xB007F457;
    private static final int F_PREFIX = 0x80000000;
    private static final int F_VALUES = 0x40000000;
    private static final int F_CHILDS = 0x20000000;
    private static final int OFFSET_MASK = 0x0FFFFFFF;

    /** One value of a key, with depmod's priority (lower first). */
    public record Value(int priority, String value) {}

    private final byte[] data;
    private final int root;

    private IndexFile(byte[] data) throws IOException {
        this.data = data;
        if (data.length < 12 || u32(0) != MAGIC || (u32(4) >>> 16) != 2) throw new IOException("not a depmod index");
        root = u32(8);
    }

    /** The index at {@code path}, or null when it is absent or not an index (libkmod then finds nothing). */
    public static IndexFile open(Path path) {
        try {
            return new IndexFile(Files.readAllBytes(path));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private int u32(int at) {
        if (at < 0 || at + 4 > data.length) throw new IndexOutOfBoundsException("index truncated");
        return ((data[at] & 0xff) << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
    }

    /** A decoded node. */
    private final class Node {
        String prefix = "";
        int first = 128, last = 127;
        int[] children = new int[0];
        final List<Value> values = new ArrayList<>();

        Node(int ref) {
            int at = ref & OFFSET_MASK;
            if ((ref & F_PREFIX) != 0) {
                int end = at;
                while (data[end] != 0) end++;
                prefix = new String(data, at, end - at, StandardCharsets.ISO_8859_1);
                at = end + 1;
            }
            if ((ref & F_CHILDS) != 0) {
                first = data[at] & 0xff;
                last = data[at + 1] & 0xff;
                at += 2;
                children = new int[Math.max(0, last - first + 1)];
                for (int i = 0; i < children.length; i++, at += 4) children[i] = u32(at);
            }
            if ((ref & F_VALUES) != 0) {
                int n = u32(at);
                at += 4;
                for (int i = 0; i < n; i++) {
                    int prio = u32(at);
                    at += 4;
                    int end = at;
                    while (data[end] != 0) end++;
                    values.add(new Value(prio, new String(data, at, end - at, StandardCharsets.ISO_8859_1)));
                    at = end + 1;
                }
            }
        }

        Node child(int ch) {
            if (ch < first || ch > last) return null;
            int ref = children[ch - first];
            return ref == 0 ? null : new Node(ref);
        }
    }

    /** The first value stored under exactly {@code key}, or null. */
    public String search(String key) {
        try {
            Node node = new Node(root);
            int i = 0;
            while (node != null) {
                for (int j = 0; j < node.prefix.length(); j++, i++)
                    if (i >= key.length() || node.prefix.charAt(j) != key.charAt(i)) return null;
                if (i == key.length()) return node.values.isEmpty() ? null : node.values.get(0).value();
                node = node.child(key.charAt(i) & 0xff);
                i++;
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every value whose stored key, read as an fnmatch pattern, matches {@code key}; ordered by priority. */
    public List<Value> searchWild(String key) {
        List<Value> out = new ArrayList<>();
        try {
            wildNode(new Node(root), new StringBuilder(), key, 0, out);
        } catch (RuntimeException e) {
            return new ArrayList<>();
        }
        return out;
    }

    private void wildNode(Node node, StringBuilder buf, String key, int i, List<Value> out) {
        while (node != null) {
            int j;
            for (j = 0; j < node.prefix.length(); j++) {
                char ch = node.prefix.charAt(j);
                if (ch == '*' || ch == '?' || ch == '[') {
                    wildAll(node, j, buf, key.substring(Math.min(key.length(), i + j)), out);
                    return;
                }
                if (i + j >= key.length() || ch != key.charAt(i + j)) return;
            }
            i += j;
            for (char w : new char[] {'*', '?', '['}) {
                Node c = node.child(w);
                if (c != null) {
                    buf.append(w);
                    wildAll(c, 0, buf, key.substring(Math.min(key.length(), i)), out);
                    buf.setLength(buf.length() - 1);
                }
            }
            if (i >= key.length()) {
                addAll(out, node.values);
                return;
            }
            node = node.child(key.charAt(i) & 0xff);
            i++;
        }
    }

    private void wildAll(Node node, int j, StringBuilder buf, String subkey, List<Value> out) {
        int mark = buf.length();
        buf.append(node.prefix, j, node.prefix.length());
        for (int ch = node.first; ch <= node.last; ch++) {
            Node c = node.child(ch);
            if (c == null) continue;
            buf.append((char) ch);
            wildAll(c, 0, buf, subkey, out);
            buf.setLength(buf.length() - 1);
        }
        if (!node.values.isEmpty() && Fnmatch.matches(buf.toString(), subkey)) addAll(out, node.values);
        buf.setLength(mark);
    }

    /** Inserts keeping priority order; equal priorities keep insertion order (libkmod's add_value). */
    private static void addAll(List<Value> out, List<Value> values) {
        for (Value v : values) {
            int at = 0;
            while (at < out.size() && out.get(at).priority() <= v.priority()) at++;
            out.add(at, v);
        }
    }
}
