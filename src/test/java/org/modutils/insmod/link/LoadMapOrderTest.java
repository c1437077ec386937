package org.modutils.insmod.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The load map's symbol order (radix or merge sort) against the JDK's stable object sort. */
class LoadMapOrderTest {
    /** Indices ordered by key, ties in index order, by List.sort (TimSort is stable). */
    private static int[] reference(long[] key) {
        Integer[] idx = IntStream.range(0, key.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingLong(i -> key[i]));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    private static void check(long[] key) {
        assertArrayEquals(reference(key), LoadMap.stableOrder(key, key.length));
        assertArrayEquals(reference(key), LoadMap.mergeOrder(key, key.length));
    }

    @Test
    void smallSpansGoByRadixAndKeepTiesInOrder() {
        Random r = new Random(21);
        for (int span : new int[] {1, 2, 1 << 11, 1 << 12, 1 << 22, 1 << 30}) {
            for (int n : new int[] {0, 1, 2, 17, 5000}) {
                long base = (0xffffffffa0000000L ^ Long.MIN_VALUE) + r.nextInt(1000);
                long[] key = new long[n];
                for (int i = 0; i < n; i++) {
                    key[i] = base + r.nextInt(span);
                }
                check(key);
            }
        }
    }

    @Test
    void wideSpansGoByMergeSort() {
        Random r = new Random(14);
        long[] key = new long[3000];
        for (int i = 0; i < key.length; i++) {
            key[i] = i % 7 == 0 ? Long.MIN_VALUE + r.nextInt(3) : i % 5 == 0 ? Long.MAX_VALUE - r.nextInt(3) : r.nextLong();
        }
        check(key);
        key[0] = 1L << 44;
        key[1] = 0;
        check(Arrays.copyOf(key, 2));
    }
}
