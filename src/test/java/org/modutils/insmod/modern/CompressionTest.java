package org.modutils.insmod.modern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The compressed copies were made by the xz, zstd and gzip command-line tools. */
class CompressionTest {
    @ParameterizedTest
    @CsvSource({"hello.ko.xz,XZ,xz", "hello.ko.zst,ZSTD,zstd", "hello.ko.gz,GZIP,gzip", "hello.ko,NONE,none"})
    void detectsByMagicAndDecompresses(String file, Compression kind, String kernelName) throws IOException {
        byte[] data = Fixtures.bytes(file);
        assertEquals(kind, Compression.detect(data));
        assertEquals(kernelName, kind.kernelName());
        assertArrayEquals(Fixtures.bytes("hello.ko"), kind.decompress(data));
    }

    @ParameterizedTest
    @CsvSource({"hello.ko.xz", "hello.ko.zst", "hello.ko.gz"})
    void truncatedDataIsAnIoError(String file) {
        byte[] data = Fixtures.bytes(file);
        byte[] cut = Arrays.copyOf(data, data.length / 2);
        assertThrows(IOException.class, () -> Compression.detect(cut).decompress(cut));
    }
}
