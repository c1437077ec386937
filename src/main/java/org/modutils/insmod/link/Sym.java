package org.modutils.insmod.link;

/**
 * A symbol of the object being linked, as modutils keeps it: a hash-chain link, the defining
 * section index (or SHN_ABS / SHN_COMMON, or a kernel/module pseudo-index above SHN_HIRESERVE),
 * the value relative to that section, and the last relocation type that referenced it.
 * Architectures keep their GOT/PLT/descriptor bookkeeping in the spare fields.
 */
public final class Sym {
    Sym next;
    public String name;
    public long value;
    public long size;
    public int secidx;
    public int info;
    public int rType;
    /** Set when a relocation used this symbol. */
    public boolean referenced;

    /** Per-architecture slots (GOT offset, PLT offset, flags); -1 means unassigned. */
    public long gotOffset = -1;
    public long pltOffset = -1;
    public long auxOffset = -1;
    public boolean gotDone;
    public boolean pltDone;
    public boolean auxDone;

    Sym() {}

    @Override
    public String toString() {
        return name;
    }
}
