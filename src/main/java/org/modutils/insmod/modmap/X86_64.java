package org.modutils.insmod.modmap;

/** The relocations x86_64's apply_relocate_add applies to a module, with its checks. */
final class X86_64 {
    private X86_64() {}

    static final int R_NONE = 0, R_64 = 1, R_PC32 = 2, R_32 = 10, R_32S = 11, R_PC64 = 24, R_PLT32 = 4;

    /**
     * Writes {@code val} (S + A) for relocation {@code type} at {@code at} in {@code img}, the
     * target address being {@code loc}; {@code room} bytes of the section are left from there.
     */
    static void apply(String file, String sec, int type, byte[] img, int at, long loc, long val, int room)
            throws MapException {
        int size;
        switch (type) {
            case R_NONE: return;
            case R_64: size = 8; break;
            case R_32:
                size = 4;
                if (val != (val & 0xffffffffL)) {
                    throw overflow(file, sec, type, val);
                }
                break;
            case R_32S:
                size = 4;
                if (val != (int) val) {
                    throw overflow(file, sec, type, val);
                }
                break;
            case R_PC32: case R_PLT32:
                val -= loc;
                size = 4;
                if (val != (int) val) {
                    throw overflow(file, sec, type, val);
                }
                break;
            case R_PC64: val -= loc; size = 8; break;
            default:
                throw new MapException(file + ": " + sec + ": Unknown rela relocation: " + type);
        }
        if (size > room) {
            throw new MapException(file + ": " + sec + ": relocation of type " + type + " runs past its section");
        }
        for (int i = 0; i < size; i++) {
            if (img[at + i] != 0) {
                throw new MapException(file + ": " + sec + ": Invalid relocation target, existing value is nonzero "
                        + "for type " + type + ", loc " + Long.toHexString(loc) + ", val " + Long.toHexString(val));
            }
        }
        for (int i = 0; i < size; i++) {
            img[at + i] = (byte) (val >>> (8 * i));
        }
    }

    private static MapException overflow(String file, String sec, int type, long val) {
        return new MapException(file + ": " + sec + ": overflow in relocation type " + type + " val " + Long.toHexString(val));
    }
}
