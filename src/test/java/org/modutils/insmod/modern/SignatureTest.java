package org.modutils.insmod.modern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

class SignatureTest {
    private static X509Certificate cert(byte[] encoded) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(encoded));
    }

    // ---- a module signed by the kernel's own scripts/sign-file ----------------------------------

    @Test
    void signFileOutputSplitsIntoTheModuleAndTheCms() throws Exception {
        ModuleSignature sig = ModuleSignature.of(Fixtures.bytes("hello-signed.ko"));
        assertArrayEquals(Fixtures.bytes("hello.ko"), sig.signedContent());
        assertEquals(ModuleSignature.PKEY_ID_PKCS7, sig.idType());
        assertNull(ModuleSignature.of(Fixtures.bytes("hello.ko")));
    }

    @Test
    void signerKeyIdAndDigestAsModinfoShowsThem() throws Exception {
        CmsSignature.Signer s = CmsSignature.signers(ModuleSignature.of(Fixtures.bytes("hello-signed.ko"))).get(0);
        assertEquals(Fixtures.expected("signed.signer"), s.signer());
        assertEquals(Fixtures.expected("signed.sig_key"), s.keyId());
        assertEquals(Fixtures.expected("signed.sig_hashalgo"), s.digest());
    }

    @Test
    void verifiesWithTheSigningCertificateOnly() throws Exception {
        ModuleSignature sig = ModuleSignature.of(Fixtures.bytes("hello-signed.ko"));
        assertTrue(CmsSignature.verify(sig, List.of(cert(Fixtures.bytes("signing-cert.der")))).ok());
        CmsSignature.Verdict v = CmsSignature.verify(sig, List.of(cert(Fixtures.bytes("other-cert.pem"))));
        assertFalse(v.ok());
        assertTrue(v.message().startsWith("unknown key: the module is signed by 'insmod test signing key'"), v.message());
    }

    @Test
    void aChangedByteIsABadDigest() throws Exception {
        byte[] m = Fixtures.bytes("hello-signed.ko");
        m[100] ^= 1;
        CmsSignature.Verdict v = CmsSignature.verify(ModuleSignature.of(m), List.of(cert(Fixtures.bytes("signing-cert.der"))));
        assertFalse(v.ok());
        assertTrue(v.message().startsWith("bad digest"), v.message());
    }

    @Test
    void truncatedTrailers() {
        byte[] m = Fixtures.bytes("hello-signed.ko");
        int magic = ModuleSignature.MAGIC.length;
        // keep only the struct and the magic: the signature length now points before the file
        byte[] onlyTrailer = Arrays.copyOfRange(m, m.length - magic - ModuleSignature.INFO_SIZE, m.length);
        ModuleSignature.BadSignatureException e = assertThrows(ModuleSignature.BadSignatureException.class,
                () -> ModuleSignature.of(onlyTrailer));
        assertTrue(e.getMessage().startsWith("truncated signature trailer"), e.getMessage());
        byte[] magicOnly = Arrays.copyOfRange(m, m.length - magic, m.length);
        assertThrows(ModuleSignature.BadSignatureException.class, () -> ModuleSignature.of(magicOnly));
    }

    // ---- keys made here, the trailer laid out by the format's definition --------------------------

    record Made(byte[] module, X509Certificate cert) {}

    static Made signHere(byte[] module, String cn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(0x1234abcdL), new Date(0), new Date(4102444800000L), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate());
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .setDirectSignature(true).build(signer, cert)); // no signed attributes, as sign-file
        byte[] cms = gen.generate(new CMSProcessableByteArray(module), false).getEncoded("DER");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(module);
        out.write(cms);
        // struct module_signature: algo, hash, id_type=2 (PKCS#7), signer_len, key_id_len, pad[3], be32 sig_len
        out.write(ByteBuffer.allocate(12).put(2, (byte) 2).putInt(8, cms.length).array());
        out.write("~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII));
        return new Made(out.toByteArray(), cert);
    }

    static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @Test
    void aSignatureMadeInTheTestVerifies() throws Exception {
        Made m = signHere(Fixtures.bytes("hello.ko"), "made in test");
        ModuleSignature sig = ModuleSignature.of(m.module());
        CmsSignature.Signer s = CmsSignature.signers(sig).get(0);
        assertEquals("made in test", s.signer());
        assertEquals("12:34:AB:CD", s.keyId());
        assertEquals("sha256", s.digest());
        assertTrue(CmsSignature.verify(sig, List.of(m.cert())).ok());
    }
}
