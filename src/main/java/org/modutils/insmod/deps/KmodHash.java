package org.modutils.insmod.deps;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The order in which kmod's depmod walks its hash tables, which decides the order of
 * modules.symbols and of modules not named in modules.order. kmod's table has a power-of-two
 * number of buckets chosen by Paul Hsieh's "SuperFastHash" of the key (16-bit reads in the
 * host's little-endian order); each bucket keeps its keys sorted with strcmp, and iteration
 * goes bucket by bucket. So the order depends only on the set of keys, never on insertion.
 */
public final class KmodHash {
    /** depmod's symbol table (2048 buckets). */
    public static final int SYMBOL_BUCKETS = 2048;
    /** depmod's module-by-name table (512 buckets). */
    public static final int MODULE_BUCKETS = 512;

    private KmodHash() {}

    /** SuperFastHash of the key's bytes, as an unsigned 32-bit value in an int. */
    static int superFast(byte[] key) {
        int len = key.length;
        int hash = len;
        int rem = len & 3;
        int at = 0;
        for (int n = len >>> 2; n > 0; n--) {
            hash += u16(key, at);
            int tmp = (u16(key, at + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            at += 4;
            hash += hash >>> 11;
        }
        switch (rem) {
            case 3:
                hash += u16(key, at);
                hash ^= hash << 16;
                hash ^= key[at + 2] << 18;
                hash += hash >>> 11;
                break;
            case 2:
                hash += u16(key, at);
                hash ^= hash << 11;
                hash += hash >>> 17;
                break;
            case 1:
                hash += key[at];
                hash ^= hash << 10;
                hash += hash >>> 1;
                break;
            default:
                break;
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** The bucket {@code key} falls in, for a table of {@code buckets} (a power of two). */
    public static int bucket(String key, int buckets) {
        return superFast(key.getBytes(StandardCharsets.UTF_8)) & (buckets - 1);
    }

    /** Sorts {@code items} into iteration order of a table of {@code buckets} keyed by {@code key}. */
    public static <T> void sortByIteration(T[] items, java.util.function.Function<T, String> key, int buckets) {
        int n = items.length;
        long[] order = new long[n];
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = key.apply(items[i]).getBytes(StandardCharsets.UTF_8);
            order[i] = ((long) (superFast(keys[i]) & (buckets - 1)) << 32) | i;
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Comparator<Integer> byBucket = Comparator.comparingLong(i -> order[i] >>> 32);
        Arrays.sort(idx, byBucket.thenComparing((a, b) -> Arrays.compareUnsigned(keys[a], keys[b])));
        Object[] copy = items.clone();
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            T t = (T) copy[idx[i]];
            items[i] = t;
        }
    }
}
