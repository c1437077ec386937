package org.modutils.insmod.link;

import static org.modutils.insmod.elf.Elf.SHT_REL;
import static org.modutils.insmod.elf.Elf.SHT_RELA;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.modutils.insmod.elf.ElfRelocs;
import org.modutils.insmod.elf.ElfSymbols;
import org.modutils.insmod.report.UserError;

/**
 * The one pass over every relocation that sizes what an architecture adds to a module: GOT
 * slots, PLT entries, call stubs, .opd descriptors (modutils' arch_create_got, lld's
 * scanRelocations). The architecture classifies each relocation it is shown; the slots are
 * handed out here, in the order the relocations name them.
 */
public final class SlotPass {
    private SlotPass() {}

    /** What an architecture decides for one relocation. */
    public interface Classifier {
        void classify(Relocation r, Slots slots) throws UserError;
    }

    /** Runs {@code c} over every relocation of {@code f} (REL or RELA, as its target uses) in file order. */
    public static Slots run(ObjFile f, Classifier c) throws UserError {
        Slots slots = new Slots();
        int type = f.target.rela() ? SHT_RELA : SHT_REL;
        Relocation r = new Relocation(f);
        for (LinkSection rs : f.sections()) {
            ElfRelocs rels = rs.type == type ? f.elfRelocs(rs.index) : null;
            if (rels == null) {
                continue;
            }
            r.section = rs;
            r.rels = rels;
            r.syms = f.elfSymbols(rs.link);
            for (int k = 0; k < rels.count(); k++) {
                r.k = k;
                c.classify(r, slots);
            }
        }
        return slots;
    }

    /** The relocation being classified (one instance for the whole pass). */
    public static final class Relocation {
        private final ObjFile f;
        LinkSection section;
        ElfRelocs rels;
        ElfSymbols syms;
        int k;

        Relocation(ObjFile f) {
            this.f = f;
        }

        public int type() {
            return rels.type(k);
        }

        /** The ELF symbol index (0: none). */
        public int symIndex() {
            return rels.sym(k);
        }

        public long addend() {
            return rels.addend(k);
        }

        public long offset() {
            return rels.offset(k);
        }

        /** The relocation section. */
        public LinkSection section() {
            return section;
        }

        /** The section the relocation patches. */
        public LinkSection target() {
            return f.section(section.info);
        }

        public ElfSymbols symbols() {
            return syms;
        }

        /** The symbol as the relocation loop resolves it (local table first), or null. */
        public Sym symbol() {
            return ObjLoader.relocSymbol(f, syms, rels.sym(k));
        }

        /** The hashed symbol of that name (what the original's arch_create_got looked up), or null. */
        public Sym symbolByName() {
            return ObjLoader.symbolByName(f, syms, rels.sym(k));
        }
    }

    /**
     * The common 32-bit GOT (i386, sh): a slot of {@code size} bytes per symbol of a {@code slot}
     * relocation, the table itself for the {@code table} ones; the .got made, or null when none is.
     */
    public static LinkSection simpleGot(ObjFile f, java.util.function.IntPredicate table, int slot,
                                        java.util.function.Function<Relocation, Sym> symbol, int size)
            throws UserError {
        Slots s = run(f, (r, slots) -> {
            if (table.test(r.type())) {
                slots.gotNeeded = true;
            } else if (r.type() == slot) {
                slots.gotSlot(symbol.apply(r), size);
            }
        });
        return s.got > 0 || s.gotNeeded ? f.createAllocedSection(".got", size, s.got, org.modutils.insmod.elf.Elf.SHF_WRITE)
                : null;
    }

    /** Writes {@code value} into the GOT slot of {@code s} at {@code at} the first time it is used. */
    public static void fillOnce(ObjFile f, LinkSection got, long at, Sym s, int size, long value) {
        if (!s.gotDone) {
            s.gotDone = true;
            f.write(got, at, size, value);
        }
    }

    /** The space handed out so far: per-symbol GOT and PLT slots, and whether a GOT is wanted at all. */
    public static final class Slots {
        /** Bytes of GOT and of PLT (or stubs) handed out. */
        public long got, plt;
        /** A relocation wants the GOT itself (its address, or offsets from it). */
        public boolean gotNeeded;

        /** A GOT slot of {@code size} bytes for {@code s} (in {@link Sym#gotOffset}) unless it has one. */
        public void gotSlot(Sym s, int size) {
            if (s != null && s.gotOffset < 0) {
                s.gotOffset = got;
                got += size;
            }
        }

        /** A PLT entry or stub of {@code size} bytes for {@code s} (in {@link Sym#pltOffset}) unless it has one. */
        public void pltSlot(Sym s, int size) {
            if (s != null && s.pltOffset < 0) {
                s.pltOffset = plt;
                plt += size;
            }
        }
    }

    /**
     * Slots per symbol and addend (ppc's PLT, the GOT and descriptors of alpha, ppc64, ia64 and
     * hppa64), at offsets handed out in order, {@code size} bytes each. An entry in two parts
     * (ia64's PLT: a stub and its data) takes its sizes per slot and gets a second offset.
     */
    public static final class AddendSlots {
        /** One slot: its addend and offset (and that of its second part), and whether its contents were written. */
        public static final class Slot {
            public final long addend;
            public final long offset;
            public final long dataOffset;
            public boolean done;

            Slot(long addend, long offset, long dataOffset) {
                this.addend = addend;
                this.offset = offset;
                this.dataOffset = dataOffset;
            }
        }

        private final Map<Sym, List<Slot>> bySymbol = new IdentityHashMap<>();
        private final int size;
        /** Bytes handed out (of the second parts: {@code nextData}). */
        public long next, nextData;

        public AddendSlots(int size) {
            this.size = size;
        }

        /** The slot of ({@code s}, {@code addend}), or null. */
        public Slot find(Sym s, long addend) {
            List<Slot> list = bySymbol.get(s);
            if (list != null) {
                for (Slot e : list) {
                    if (e.addend == addend) {
                        return e;
                    }
                }
            }
            return null;
        }

        /**
         * The slot of ({@code s}, {@code addend}), or null; the first time it is used its first
         * {@code size} bytes in {@code sec} are set to {@code value}.
         */
        public Slot fill(ObjFile f, LinkSection sec, Sym s, long addend, int size, long value) {
            Slot e = s == null ? null : find(s, addend);
            if (e != null && !e.done) {
                e.done = true;
                f.write(sec, e.offset, size, value);
            }
            return e;
        }

        /** The slot of ({@code s}, {@code addend}), handed out now if it has none. */
        public Slot take(Sym s, long addend) {
            return take(s, addend, size, 0);
        }

        /** As {@link #take(Sym, long)}, for a slot of {@code size} bytes whose second part has {@code dataSize}. */
        public Slot take(Sym s, long addend, int size, int dataSize) {
            Slot e = find(s, addend);
            if (e == null) {
                e = new Slot(addend, next, nextData);
                bySymbol.computeIfAbsent(s, x -> new ArrayList<>()).add(e);
                next += size;
                nextData += dataSize;
            }
            return e;
        }
    }
}
