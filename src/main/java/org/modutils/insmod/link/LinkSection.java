package org.modutils.insmod.link;

import java.util.Arrays;

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
    public byte[] contents;

    public LinkSection(int index, String name, int type, long flags, long size, long addralign) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.flags = flags;
        this.size = size;
        this.addralign = addralign;
    }

    /** Grows the section by {@code more} zero bytes and returns the old size. */
    public int extend(long more) {
        int old = (int) size;
        size += more;
        contents = contents == null ? new byte[(int) size] : Arrays.copyOf(contents, (int) size);
        return old;
    }

    @Override
    public String toString() {
        return name;
    }
}
