package org.modutils.insmod.link;


/** The 2.4 struct module at the start of .this, for the target's word size. */
public final class StructModule {
    /** A field: its index among the long-sized fields, or a 32-bit field (nsyms, ndeps). */
    public enum Field {
        SIZE_OF_STRUCT, NEXT, NAME, SIZE, USECOUNT, FLAGS, NSYMS, NDEPS, SYMS, DEPS, REFS, INIT, CLEANUP,
        EX_TABLE_START, EX_TABLE_END, GP, READ_START, READ_END, CAN_UNLOAD, RUNSIZE, KALLSYMS_START, KALLSYMS_END,
        ARCHDATA_START, ARCHDATA_END, KERNEL_DATA;

        /** Byte offset of this field in struct module on {@code t}. */
        public int offset(Target t) {
            int w = t.wordSize();
            int o = ordinal();
            if (o <= FLAGS.ordinal()) {
                return o * w;
            }
            if (this == NSYMS) {
                return 6 * w;
            }
            if (this == NDEPS) {
                return 6 * w + 4;
            }
            int after = 6 * w + 8; // syms starts after the two 32-bit counts
            int k = o - SYMS.ordinal();
            if (!t.moduleHasGp() && o > GP.ordinal()) {
                k--;
            }
            return after + k * w;
        }

        public int size(Target t) {
            return this == NSYMS || this == NDEPS ? 4 : t.wordSize();
        }
    }

    public static final Field SIZE_OF_STRUCT = Field.SIZE_OF_STRUCT, NAME = Field.NAME, SIZE = Field.SIZE,
            FLAGS = Field.FLAGS, NSYMS = Field.NSYMS, NDEPS = Field.NDEPS, SYMS = Field.SYMS, DEPS = Field.DEPS,
            INIT = Field.INIT, CLEANUP = Field.CLEANUP, EX_TABLE_START = Field.EX_TABLE_START,
            EX_TABLE_END = Field.EX_TABLE_END, GP = Field.GP, RUNSIZE = Field.RUNSIZE,
            KALLSYMS_START = Field.KALLSYMS_START, KALLSYMS_END = Field.KALLSYMS_END,
            ARCHDATA_START = Field.ARCHDATA_START, ARCHDATA_END = Field.ARCHDATA_END,
            READ_START = Field.READ_START, READ_END = Field.READ_END;

    private final ObjFile f;
    private final LinkSection sec;

    public StructModule(ObjFile f, LinkSection thisSection) {
        this.f = f;
        this.sec = thisSection;
    }

    public void set(Field field, long value) {
        f.write(sec, field.offset(f.target), field.size(f.target), value);
    }

    public long get(Field field) {
        return f.read(sec, field.offset(f.target), field.size(f.target));
    }
}
