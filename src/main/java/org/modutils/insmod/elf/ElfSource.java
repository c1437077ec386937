package org.modutils.insmod.elf;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * Where an object's bytes are: an array (a decompressed or generated object) or an open file,
 * read in pieces. {@link ElfFile} reads only the tables and the sections it needs, so a large
 * module is never held whole in memory beside what is decoded from it.
 */
public interface ElfSource extends AutoCloseable {
    /** The size of the object in bytes. */
    long size();

    /** Reads {@code len} bytes at {@code off} (inside {@link #size}) into {@code dst} at {@code at}. */
    void read(long off, byte[] dst, int at, int len) throws IOException;

    /** A copy of the first bytes, at most {@code max} (for magic numbers). */
    default byte[] head(int max) throws IOException {
        byte[] b = new byte[(int) Math.min(max, size())];
        read(0, b, 0, b.length);
        return b;
    }

    @Override
    default void close() throws IOException {}

    /** The bytes of an array (not copied). */
    static ElfSource of(byte[] data) {
        return new ElfSource() {
            @Override public long size() { return data.length; }
            @Override public void read(long off, byte[] dst, int at, int len) {
                System.arraycopy(data, (int) off, dst, at, len);
            }
        };
    }

    /**
     * The bytes of a regular file, read as they are needed; the size is taken now. A file that
     * shrinks while it is read gives an {@link EOFException}. The caller closes it. java.io, not
     * an NIO channel: the first channel of a run loads libnet (and its IPv6 probe); a file that
     * cannot be opened gives java.io's FileNotFoundException ("PATH (REASON)").
     */
    static ElfSource open(Path path) throws IOException {
        RandomAccessFile f = new RandomAccessFile(path.toFile(), "r");
        try {
            long size = f.length();
            return new ElfSource() {
                @Override public long size() { return size; }
                @Override public void read(long off, byte[] dst, int at, int len) throws IOException {
                    // In steps: a read of more than 8 KiB goes through a native buffer as large as the request.
                    f.seek(off);
                    while (len > 0) {
                        int r = f.read(dst, at, Math.min(len, 1 << 16));
                        if (r < 0) {
                            throw new EOFException("file shrank while being read");
                        }
                        at += r;
                        len -= r;
                    }
                }
                @Override public void close() throws IOException { f.close(); }
            };
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }
}
