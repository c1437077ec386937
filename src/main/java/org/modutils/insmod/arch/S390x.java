package org.modutils.insmod.arch;

/** S/390 64-bit (zSeries): the code of {@link S390} with 8-byte words and the 20-byte PLT stub. */
public final class S390x extends S390 {
    public S390x() {
        super(true);
    }
}
