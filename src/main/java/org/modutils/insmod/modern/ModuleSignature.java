package org.modutils.insmod.modern;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The kernel's appended module signature: {@code module || signature || struct module_signature
 * || "~Module signature appended~\n"}. The 12-byte struct is {@code u8 algo, hash, id_type,
 * signer_len, key_id_len; u8 pad[3]; __be32 sig_len}; with {@code id_type} 2 (PKCS#7) the
 * signature is a DER CMS SignedData over the module bytes (detached) and the other length fields
 * are 0. This class only splits the file (no Bouncy Castle); {@link CmsSignature} reads the CMS.
 */
public final class ModuleSignature {
    public static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    public static final int INFO_SIZE = 12;
    public static final int PKEY_ID_PKCS7 = 2;

    /** A trailer that is present but cannot be used. */
    public static final class BadSignatureException extends Exception {
        public BadSignatureException(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] signedContent;
    private final byte[] signature;
    private final int idType;

    private ModuleSignature(byte[] signedContent, byte[] signature, int idType) {
        this.signedContent = signedContent;
        this.signature = signature;
        this.idType = idType;
    }

    public static boolean hasTrailer(byte[] module) {
        if (module.length < MAGIC.length) return false;
        return Arrays.equals(module, module.length - MAGIC.length, module.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Splits a signed module; null when it carries no signature.
     *
     * @throws BadSignatureException the magic is there but the trailer is truncated or not PKCS#7
     */
    public static ModuleSignature of(byte[] module) throws BadSignatureException {
        if (!hasTrailer(module)) return null;
        int end = module.length - MAGIC.length;
        if (end < INFO_SIZE)
            throw new BadSignatureException("truncated signature trailer: no room for struct module_signature");
        int base = end - INFO_SIZE;
        int idType = module[base + 2] & 0xff;
        int signerLen = module[base + 3] & 0xff;
        int keyIdLen = module[base + 4] & 0xff;
        long sigLen = ByteBuffer.wrap(module).getInt(base + 8) & 0xffffffffL; // __be32
        long before = base;
        if (sigLen == 0) throw new BadSignatureException("truncated signature trailer: signature length is 0");
        if (sigLen + signerLen + keyIdLen > before)
            throw new BadSignatureException("truncated signature trailer: it claims " + sigLen
                    + " signature bytes but only " + before + " bytes precede it");
        if (idType != PKEY_ID_PKCS7)
            throw new BadSignatureException("unsupported signature type " + idType + " (only PKCS#7, type 2, is in use)");
        int sigStart = (int) (before - sigLen);
        int contentEnd = sigStart - signerLen - keyIdLen;
        return new ModuleSignature(Arrays.copyOf(module, contentEnd),
                Arrays.copyOfRange(module, sigStart, (int) before), idType);
    }

    /** The bytes the signature covers: the module without the trailer. */
    public byte[] signedContent() {
        return signedContent.clone();
    }

    /** The DER CMS SignedData. */
    public byte[] signature() {
        return signature.clone();
    }

    public int idType() {
        return idType;
    }
}
