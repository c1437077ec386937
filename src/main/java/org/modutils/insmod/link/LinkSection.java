package org.modutils.insmod.link;

import java.util.Arrays;

import org.modutils.insmod.elf.ElfException;
import org.modutils.insmod.elf.ElfFile;

/** A section of the object being linked: header fields that the linker changes, and its bytes. */
public final class LinkSection {
    public final int index;
    public String name;
    public int type;
    public long flags;
    public long addr;
    public long size;
    public int link;
    public int info;
    public long addralign;
    public long entsize;
    /** The section bytes, or null (NOBITS before commons are allocated, empty created sections). */
    private byte[] contents;
    /** Where the bytes still are when not copied yet (sections nothing has looked at). */
    private ElfFile source;
    private int sourceIndex;

    public LinkSection(int index, String name, int type, long flags, long size, long addralign) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.flags = flags;
        this.size = size;
        this.addralign = addralign;
    }

    /**
     * The section bytes, or null (NOBITS before commons are allocated, empty created sections).
     * A section read from the object is copied out of the file the first time it is asked for,
     * so sections insmod never looks at (symbol, string and relocation tables, debug
     * information) cost no copy.
     */
    public byte[] contents() {
        try {
            load();
        } catch (ElfException e) {
            throw new ReadFailure(e);
        }
        return contents;
    }

    /** Reads the bytes now if they are still in the file (so that a read error is reported here). */
    public void load() throws ElfException {
        if (source != null) {
            contents = source.sectionData(sourceIndex);
            source = null;
        }
    }

    /**
     * The file could not be read when a section's bytes were first asked for (it shrank, or an
     * I/O error): unchecked, because it can only happen to an object read from a file that
     * changed under insmod; the 2.4 flow reports it as its one error line.
     */
    public static final class ReadFailure extends RuntimeException {
        public ReadFailure(ElfException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A relocation reaches past the end (or before the start) of the section it patches. */
    public static final class OutOfSection extends RuntimeException {
        public OutOfSection() {
            super(null, null, false, false);
        }
    }

    public void setContents(byte[] bytes) {
        contents = bytes;
        source = null;
    }

    /** The bytes are section {@code index} of {@code elf}, copied when first used. */
    public void setContents(ElfFile elf, int index) {
        contents = null;
        source = elf;
        sourceIndex = index;
    }

    /**
     * Grows the section by {@code more} zero bytes and returns the old size. The array grows
     * geometrically (insmod extends __ksymtab and .kstrtab once per exported symbol), so until
     * {@link #trim} it may be longer than {@code size}; the bytes beyond are zero.
     */
    public int extend(long more) {
        int old = (int) size;
        contents();
        size += more;
        if (contents == null) {
            contents = new byte[(int) size];
        } else if (contents.length < size) {
            long cap = Math.max(size, Math.min(Integer.MAX_VALUE - 8, 2L * contents.length));
            contents = Arrays.copyOf(contents, (int) cap);
        }
        return old;
    }

    /**
     * Makes room for {@code more} bytes of later {@link #extend} calls (and a little over, for
     * the few symbols insmod adds afterwards) without changing the size.
     */
    public void reserve(long more) {
        contents();
        long want = size + more + 1024;
        if (want > Integer.MAX_VALUE - 8) {
            return; // extend reports what does not fit
        }
        if (contents == null) {
            contents = new byte[(int) want];
        } else if (contents.length < want) {
            contents = Arrays.copyOf(contents, (int) want);
        }
    }

    /** Drops the spare room {@link #extend} left, so that contents.length is size again. */
    public void trim() {
        if (source == null && contents != null && contents.length > size) {
            contents = Arrays.copyOf(contents, (int) size);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
