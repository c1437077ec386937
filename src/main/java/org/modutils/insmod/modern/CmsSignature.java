package org.modutils.insmod.modern;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/** The CMS (PKCS#7) part of a module signature, read with Bouncy Castle (loaded only here). */
public final class CmsSignature {
    private CmsSignature() {}

    /** Who signed: the issuer's common name, the key id (serial number or subject key id), the digest. */
    public record Signer(String signer, String keyId, String digest) {
        @Override
        public String toString() {
            return "'" + signer + "' (key id " + keyId + ", " + digest + ")";
        }
    }

    /** The outcome of {@link #verify}: ok, or the reason it is not. */
    public record Verdict(boolean ok, String message) {}

    private static CMSSignedData cms(ModuleSignature sig) throws ModuleSignature.BadSignatureException {
        try {
            return new CMSSignedData(new CMSProcessableByteArray(sig.signedContent()), sig.signature());
        } catch (CMSException | RuntimeException e) {
            throw new ModuleSignature.BadSignatureException("the signature is not a valid PKCS#7 message: "
                    + e.getMessage());
        }
    }

    public static List<Signer> signers(ModuleSignature sig) throws ModuleSignature.BadSignatureException {
        List<Signer> out = new ArrayList<>();
        for (SignerInformation si : signerInfos(cms(sig))) out.add(describe(si));
        if (out.isEmpty()) throw new ModuleSignature.BadSignatureException("the PKCS#7 message has no signer");
        return out;
    }

    /** The signer infos; Bouncy Castle decodes them lazily, so a malformed one throws only here. */
    private static java.util.Collection<SignerInformation> signerInfos(CMSSignedData cms)
            throws ModuleSignature.BadSignatureException {
        try {
            java.util.Collection<SignerInformation> all = cms.getSignerInfos().getSigners();
            for (SignerInformation si : all) {
                si.getSID();
                si.getDigestAlgOID();
            }
            return all;
        } catch (RuntimeException e) {
            throw new ModuleSignature.BadSignatureException("the PKCS#7 message's signer information is malformed: "
                    + e.getMessage());
        }
    }

    private static Signer describe(SignerInformation si) {
        SignerId id = si.getSID();
        String who = id.getIssuer() == null ? "(unknown issuer)" : commonName(id.getIssuer());
        String key;
        if (id.getSerialNumber() != null) key = hex(id.getSerialNumber());
        else if (id.getSubjectKeyIdentifier() != null) key = hex(id.getSubjectKeyIdentifier());
        else key = "(none)";
        return new Signer(who, key, digestName(si.getDigestAlgOID()));
    }

    static String commonName(X500Name name) {
        RDN[] cn = name.getRDNs(BCStyle.CN);
        return cn.length > 0 ? IETFUtils.valueToString(cn[0].getFirst().getValue()) : name.toString();
    }

    private static String hex(BigInteger serial) {
        return hex(serial.toByteArray().length > 1 && serial.toByteArray()[0] == 0
                ? java.util.Arrays.copyOfRange(serial.toByteArray(), 1, serial.toByteArray().length)
                : serial.toByteArray());
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(b);
    }

    static String digestName(String oid) {
        switch (oid) {
            case "1.3.14.3.2.26": return "sha1";
            case "2.16.840.1.101.3.4.2.4": return "sha224";
            case "2.16.840.1.101.3.4.2.1": return "sha256";
            case "2.16.840.1.101.3.4.2.2": return "sha384";
            case "2.16.840.1.101.3.4.2.3": return "sha512";
            case "2.16.840.1.101.3.4.2.8": return "sha3-256";
            case "2.16.840.1.101.3.4.2.9": return "sha3-384";
            case "2.16.840.1.101.3.4.2.10": return "sha3-512";
            case "1.2.156.10197.1.401": return "sm3";
            default: return oid;
        }
    }

    /** Does some signer's signature verify with one of {@code certs}? */
    public static Verdict verify(ModuleSignature sig, List<X509Certificate> certs) throws ModuleSignature.BadSignatureException {
        CMSSignedData cms = cms(sig);
        List<String> unknown = new ArrayList<>();
        for (SignerInformation si : signerInfos(cms)) {
            Signer who = describe(si);
            for (X509Certificate cert : certs) {
                X509CertificateHolder holder;
                try {
                    holder = new JcaX509CertificateHolder(cert);
                } catch (java.security.cert.CertificateEncodingException e) {
                    continue;
                }
                if (!si.getSID().match(holder)) continue;
                String certName = commonName(holder.getSubject());
                try {
                    if (si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert)))
                        return new Verdict(true, "signature by " + who + " verified with certificate '" + certName + "'");
                    return new Verdict(false, "bad digest: the signature by " + who + " does not match the module"
                            + " (changed after signing?)");
                } catch (CMSException e) {
                    return new Verdict(false, "bad digest: the signature by " + who + " does not match the module"
                            + " (" + e.getMessage().toLowerCase(Locale.ROOT) + ")");
                } catch (OperatorCreationException | RuntimeException e) {
                    return new Verdict(false, "cannot check the signature by " + who + " with certificate '"
                            + certName + "': " + e.getMessage());
                }
            }
            unknown.add(who.toString());
        }
        return new Verdict(false, "unknown key: the module is signed by " + String.join(", ", unknown)
                + ", which is not among the given certificates");
    }
}
