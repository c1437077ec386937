package org.modutils.insmod.modinfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;

/**
 * The signature fields kmod's modinfo appends (sig_id, signer, sig_key, sig_hashalgo,
 * signature), read from the kernel's appended-signature trailer exactly as libkmod reads it:
 * the same sanity checks on {@code struct module_signature}; for PKCS#7 the first signer's
 * issuer common name (its raw bytes), serial number, digest algorithm and encrypted digest;
 * for the older types the raw signer, key id and signature bytes. Where libkmod gives up, no
 * field at all.
 */
final class SignatureFields {
    private SignatureFields() {}

    private static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    private static final String[] HASH = {"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3"};
    private static final String[] ID_TYPE = {"PGP", "X509", "PKCS#7"};

    /** The five fields in kmod's order, or an empty list. */
    static List<Field> of(byte[] m) {
        int size = m.length - MAGIC.length;
        if (size < 0 || !Arrays.equals(m, size, m.length, MAGIC, 0, MAGIC.length)) return List.of();
        if (size < 12) return List.of();
        size -= 12;
        int algo = m[size] & 0xff, hash = m[size + 1] & 0xff, idType = m[size + 2] & 0xff;
        int signerLen = m[size + 3] & 0xff, keyIdLen = m[size + 4] & 0xff;
        long sigLen = ((m[size + 8] & 0xffL) << 24) | ((m[size + 9] & 0xff) << 16) | ((m[size + 10] & 0xff) << 8) | (m[size + 11] & 0xff);
        if (algo >= 2 || hash >= HASH.length || idType >= ID_TYPE.length) return List.of();
        if (sigLen == 0 || size < sigLen + signerLen + keyIdLen) return List.of();
        int sigStart = (int) (size - sigLen);
        if (idType == 2) return pkcs7(Arrays.copyOfRange(m, sigStart, size));
        byte[] sig = Arrays.copyOfRange(m, sigStart, size);
        byte[] key = Arrays.copyOfRange(m, sigStart - keyIdLen, sigStart);
        byte[] signer = Arrays.copyOfRange(m, sigStart - keyIdLen - signerLen, sigStart - keyIdLen);
        return fields(ID_TYPE[idType], latin1(signer), key, HASH[hash], sig);
    }

    private static List<Field> fields(String id, String signer, byte[] key, String hash, byte[] sig) {
        List<Field> out = new ArrayList<>();
        out.add(new Field("sig_id", id));
        out.add(new Field("signer", signer));
        out.add(new Field("sig_key", hex(key)));
        out.add(new Field("sig_hashalgo", hash));
        out.add(new Field("signature", hex(sig)));
        return out;
    }

    private static List<Field> pkcs7(byte[] der) {
        try {
            CMSSignedData cms = new CMSSignedData(der);
            SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
            if (si.getSID().getIssuer() == null || si.getSID().getSerialNumber() == null) return List.of();
            String hash = hashName(si.getDigestAlgOID());
            if (hash == null) return List.of();
            byte[] serial = si.getSID().getSerialNumber().toByteArray();
            int skip = 0;
            while (skip < serial.length && serial[skip] == 0) skip++; // BN_bn2bin: no leading zeros
            return fields("PKCS#7", commonName(si.getSID().getIssuer()), Arrays.copyOfRange(serial, skip, serial.length),
                    hash, si.getSignature());
        } catch (Exception | LinkageError e) {
            return List.of();
        }
    }

    private static String hashName(String oid) {
        switch (oid) {
            case "1.2.840.113549.2.4": return HASH[0];
            case "1.2.840.113549.2.5": return HASH[1];
            case "1.3.14.3.2.26": return HASH[2];
            case "1.3.36.3.2.1": return HASH[3];
            case "2.16.840.1.101.3.4.2.1": return HASH[4];
            case "2.16.840.1.101.3.4.2.2": return HASH[5];
            case "2.16.840.1.101.3.4.2.3": return HASH[6];
            case "2.16.840.1.101.3.4.2.4": return HASH[7];
            case "1.2.156.10197.1.401": return HASH[8];
            default: return null;
        }
    }

    /** The raw bytes of the first CN, up to a NUL, as OpenSSL's ASN1_STRING data read as a C string; "" without one. */
    private static String commonName(X500Name name) throws java.io.IOException {
        for (RDN rdn : name.getRDNs()) {
            if (!rdn.getFirst().getType().equals(BCStyle.CN)) continue;
            ASN1Encodable v = rdn.getFirst().getValue();
            byte[] enc = v.toASN1Primitive().getEncoded();
            int at = 2;
            if ((enc[1] & 0x80) != 0) at = 2 + (enc[1] & 0x7f);
            int end = at;
            while (end < enc.length && enc[end] != 0) end++;
            return new String(enc, at, end - at, StandardCharsets.ISO_8859_1);
        }
        return "";
    }

    private static String latin1(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** "01:AB:..." with a line break and two tabs after every 20 bytes, as libkmod formats it. */
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 3 + b.length / 20 * 3);
        for (int i = 0; i < b.length; i++) {
            sb.append(Character.toUpperCase(Character.forDigit((b[i] >> 4) & 0xf, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b[i] & 0xf, 16)));
            if (i < b.length - 1) {
                sb.append(':');
                if ((i + 1) % 20 == 0) sb.append("\n\t\t");
            }
        }
        return sb.toString();
    }
}
