package dev.gantry.server.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.encryption.certificates.transparency.CertificateEntry;
import dev.sigstore.encryption.certificates.transparency.DigitallySigned;
import dev.sigstore.encryption.certificates.transparency.SignedCertificateTimestamp;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Sigstore instance made in a test, offline: what Fulcio, its CT log and Rekor v1 would hand a
 * CI job that signs keyless, so a test can sign the digest of an image it just pushed.
 *
 * <p>It holds a Fulcio-like CA (a root and an intermediate), a CT log key and a Rekor-like
 * transparency log (key, origin, Merkle tree). {@link #signDsse} mints, per call, what {@code
 * cosign sign} v3 and {@code actions/attest-build-provenance} produce: an ephemeral P-256 key; a
 * ten-minute leaf certificate from the intermediate whose subject alternative name is the
 * workflow identity, with the Fulcio OIDC issuer extensions (1.3.6.1.4.1.57264.1.1, raw, and .1.8,
 * a DER UTF8String) and an embedded SCT signed by the CT log over the precertificate; the DSSE
 * signature over the in-toto statement; a {@code dsse} 0.0.1 entry appended to the log with its
 * signed entry timestamp, an RFC 6962 inclusion proof and a signed checkpoint; all of it as a
 * Sigstore bundle v0.3. {@link #trustedRootJson} lists the CA, the CT log and the log with their
 * validity windows, as {@code trusted_root.json} does for the public-good instance.
 *
 * <p>Every check sigstore-java 2.0.0's {@code KeylessVerifier} makes is met by construction, none
 * is skipped: the chain validates (PKIX, at the leaf's notBefore, to a CA valid then), one SCT
 * verifies with a CT log valid at its timestamp, the identity matchers read the SAN and the issuer,
 * the DSSE signature verifies with the leaf key over the PAE, the statement names the artifact's
 * sha256, the entry's payload hash and signature are the envelope's, the SET verifies over the
 * canonical {body, integratedTime, logID, logIndex}, the inclusion proof reaches the root hash, and
 * the checkpoint names the log's host, carries its key hint and is signed by its key.
 */
public final class LocalSigstore {
  /** A keyless signer: the certificate's subject alternative name (a URI) and OIDC issuer. */
  public record Identity(String subject, String issuer) {}

  public static final String DSSE_IN_TOTO = "application/vnd.in-toto+json";
  private static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  private static final String SCT_LIST_OID = "1.3.6.1.4.1.11129.2.4.2";
  private static final ASN1ObjectIdentifier FULCIO_ISSUER_V1 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1");
  private static final ASN1ObjectIdentifier FULCIO_ISSUER_V2 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String name;
  private final Instant start;
  private final KeyPair rootKey = p256();
  private final KeyPair intermediateKey = p256();
  private final KeyPair ctKey = p256();
  private final KeyPair rekorKey = p256();
  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final List<byte[]> leaves = new ArrayList<>();

  /**
   * @param name distinguishes instances (the hosts in the trusted root, the CA's name): two
   *     instances trust nothing of each other's
   */
  public LocalSigstore(String name) {
    this.name = name;
    this.start = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    Instant end = start.plus(2, ChronoUnit.DAYS);
    try {
      X500Name rootName = new X500Name("O=" + name + ".test, CN=" + name + " fulcio root");
      this.root = ca(rootName, rootKey.getPublic(), rootName, rootKey.getPrivate(), null, start, end, 1);
      X500Name intermediateName = new X500Name("O=" + name + ".test, CN=" + name + " fulcio intermediate");
      this.intermediate = ca(intermediateName, intermediateKey.getPublic(), rootName, rootKey.getPrivate(), root, start, end, 0);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the local Sigstore CA", e);
    }
  }

  public String rekorHost() {
    return "rekor." + name + ".test";
  }

  // -------------------------------------------------------------------------- trusted root

  /** The instance's {@code trusted_root.json} (protobuf-specs TrustedRoot, JSON). */
  public String trustedRootJson() {
    ObjectNode tr = JSON.createObjectNode();
    tr.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    tlog(tr.putArray("tlogs").addObject(), "https://" + rekorHost(), rekorKey.getPublic());
    ObjectNode ca = tr.putArray("certificateAuthorities").addObject();
    ca.putObject("subject").put("organization", name + ".test").put("commonName", name + " fulcio");
    ca.put("uri", "https://fulcio." + name + ".test");
    ArrayNode chain = ca.putObject("certChain").putArray("certificates");
    chain.addObject().put("rawBytes", b64(der(intermediate)));
    chain.addObject().put("rawBytes", b64(der(root)));
    ca.putObject("validFor").put("start", start.toString()).put("end", root.getNotAfter().toInstant().toString());
    tlog(tr.putArray("ctlogs").addObject(), "https://ctfe." + name + ".test", ctKey.getPublic());
    tr.putArray("timestampAuthorities");
    return tr.toPrettyString();
  }

  private void tlog(ObjectNode log, String baseUrl, PublicKey key) {
    log.put("baseUrl", baseUrl);
    log.put("hashAlgorithm", "SHA2_256");
    ObjectNode pk = log.putObject("publicKey");
    pk.put("rawBytes", b64(key.getEncoded()));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    pk.putObject("validFor").put("start", start.toString());
    log.putObject("logId").put("keyId", b64(sha256(key.getEncoded())));
  }

  // -------------------------------------------------------------------------------- signing

  /** An in-toto v1 statement with one subject, as the signers above sign it (compact JSON). */
  public static byte[] statement(String subjectName, String digest, String predicateType, JsonNode predicate) {
    ObjectNode s = JSON.createObjectNode();
    s.put("_type", "https://in-toto.io/Statement/v1");
    ObjectNode subject = s.putArray("subject").addObject();
    subject.put("name", subjectName);
    subject.putObject("digest").put("sha256", digest.substring(digest.indexOf(':') + 1));
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    try {
      return JSON.writeValueAsBytes(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Signs an in-toto statement keyless as {@code who}: a Sigstore bundle v0.3 with the leaf
   * certificate, a DSSE envelope and its {@code dsse} 0.0.1 transparency log entry.
   */
  public synchronized byte[] signDsse(Identity who, byte[] statement) {
    try {
      KeyPair ephemeral = p256();
      Instant notBefore = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
      X509Certificate leaf = leaf(who, ephemeral.getPublic(), notBefore);
      byte[] signature = sign(ephemeral.getPrivate(), pae(DSSE_IN_TOTO, statement));

      // the log entry as Rekor canonicalises a dsse 0.0.1 proposal
      ObjectNode envelope = JSON.createObjectNode();
      envelope.put("payload", b64(statement));
      envelope.put("payloadType", DSSE_IN_TOTO);
      envelope.putArray("signatures").addObject().put("sig", b64(signature));
      ObjectNode body = JSON.createObjectNode();
      body.put("apiVersion", "0.0.1");
      body.put("kind", "dsse");
      ObjectNode spec = body.putObject("spec");
      spec.putObject("envelopeHash").put("algorithm", "sha256").put("value", hex(sha256(JSON.writeValueAsBytes(envelope))));
      spec.putObject("payloadHash").put("algorithm", "sha256").put("value", hex(sha256(statement)));
      spec.putArray("signatures").addObject()
          .put("signature", b64(signature))
          .put("verifier", b64(pem(leaf).getBytes(StandardCharsets.US_ASCII)));
      byte[] canonicalBody = JSON.writeValueAsBytes(body);

      ObjectNode bundle = JSON.createObjectNode();
      bundle.put("mediaType", BUNDLE_V03);
      ObjectNode material = bundle.putObject("verificationMaterial");
      material.putObject("certificate").put("rawBytes", b64(der(leaf)));
      material.putArray("tlogEntries").add(logEntry(canonicalBody, notBefore.plusSeconds(30)));
      bundle.set("dsseEnvelope", envelope);
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bundle);
    } catch (Exception e) {
      throw new IllegalStateException("cannot mint a keyless bundle for " + who, e);
    }
  }

  /** Appends the body to the log: the entry with its SET, inclusion proof and checkpoint. */
  private ObjectNode logEntry(byte[] canonicalBody, Instant integrated) throws GeneralSecurityException {
    byte[] leafHash = sha256(concat(new byte[] {0}, canonicalBody));
    leaves.add(leafHash);
    long index = leaves.size() - 1;
    long size = leaves.size();
    byte[] rootHash = rootHash(leaves);
    byte[] logId = sha256(rekorKey.getPublic().getEncoded());
    long time = integrated.getEpochSecond();

    // the signed entry timestamp: canonical JSON (RFC 8785) of what sigstore-java reconstructs
    String signable = "{\"body\":\"" + b64(canonicalBody) + "\",\"integratedTime\":" + time
        + ",\"logID\":\"" + hex(logId) + "\",\"logIndex\":" + index + "}";
    byte[] set = sign(rekorKey.getPrivate(), signable.getBytes(StandardCharsets.UTF_8));

    // a checkpoint (signed note) over the tree head; key hint: the log id's first four bytes
    String header = rekorHost() + " - 1\n" + size + "\n" + b64(rootHash) + "\n";
    byte[] noteSignature = sign(rekorKey.getPrivate(), header.getBytes(StandardCharsets.UTF_8));
    String checkpoint = header + "\n\u2014 " + rekorHost() + " " + b64(concat(Arrays.copyOf(logId, 4), noteSignature)) + "\n";

    ObjectNode entry = JSON.createObjectNode();
    entry.put("logIndex", Long.toString(index));
    entry.putObject("logId").put("keyId", b64(logId));
    entry.putObject("kindVersion").put("kind", "dsse").put("version", "0.0.1");
    entry.put("integratedTime", Long.toString(time));
    entry.putObject("inclusionPromise").put("signedEntryTimestamp", b64(set));
    ObjectNode proof = entry.putObject("inclusionProof");
    proof.put("logIndex", Long.toString(index));
    proof.put("rootHash", b64(rootHash));
    proof.put("treeSize", Long.toString(size));
    ArrayNode hashes = proof.putArray("hashes");
    for (byte[] h : auditPath((int) index, leaves)) {
      hashes.add(b64(h));
    }
    proof.putObject("checkpoint").put("envelope", checkpoint);
    entry.put("canonicalizedBody", b64(canonicalBody));
    return entry;
  }

  // ------------------------------------------------------------------ RFC 6962 Merkle tree

  /** MTH(D[n]): the root over leaf hashes. */
  static byte[] rootHash(List<byte[]> leafHashes) {
    if (leafHashes.size() == 1) {
      return leafHashes.getFirst();
    }
    int k = largestPowerOfTwoBelow(leafHashes.size());
    return node(rootHash(leafHashes.subList(0, k)), rootHash(leafHashes.subList(k, leafHashes.size())));
  }

  /** PATH(m, D[n]): the sibling hashes from the leaf up to the root. */
  static List<byte[]> auditPath(int m, List<byte[]> leafHashes) {
    List<byte[]> path = new ArrayList<>();
    if (leafHashes.size() <= 1) {
      return path;
    }
    int k = largestPowerOfTwoBelow(leafHashes.size());
    if (m < k) {
      path.addAll(auditPath(m, leafHashes.subList(0, k)));
      path.add(rootHash(leafHashes.subList(k, leafHashes.size())));
    } else {
      path.addAll(auditPath(m - k, leafHashes.subList(k, leafHashes.size())));
      path.add(rootHash(leafHashes.subList(0, k)));
    }
    return path;
  }

  private static int largestPowerOfTwoBelow(int n) {
    int k = 1;
    while (k << 1 < n) {
      k <<= 1;
    }
    return k;
  }

  private static byte[] node(byte[] left, byte[] right) {
    return sha256(concat(new byte[] {1}, concat(left, right)));
  }

  // ---------------------------------------------------------------------------- certificates

  private static X509Certificate ca(
      X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey, X509Certificate issuerCert,
      Instant from, Instant to, int pathLength) throws Exception {
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from), Date.from(to), subject, key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
    if (issuerCert != null) {
      b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerCert));
    }
    return new JcaX509CertificateConverter().getCertificate(b.build(signer(issuerKey)));
  }

  /**
   * A Fulcio leaf: issued as a precertificate is logged, then with the CT log's SCT embedded. The
   * SCT signs the TBS without its own extension, so both issuances share every other field.
   */
  private X509Certificate leaf(Identity who, PublicKey key, Instant notBefore) throws Exception {
    BigInteger serial = serial();
    Date from = Date.from(notBefore);
    Date to = Date.from(notBefore.plus(10, ChronoUnit.MINUTES));
    X509Certificate precert = leaf(who, key, serial, from, to, new byte[] {0, 0});
    CertificateEntry entry = CertificateEntry.createForPrecertificate(precert, intermediate);
    long timestamp = notBefore.plusSeconds(1).toEpochMilli();
    byte[] ctLogId = sha256(ctKey.getPublic().getEncoded());
    var unsigned = new SignedCertificateTimestamp(
        SignedCertificateTimestamp.Version.V1, ctLogId, timestamp, new byte[0], null, SignedCertificateTimestamp.Origin.EMBEDDED);
    byte[] sctSignature = sign(ctKey.getPrivate(), unsigned.encodeTBS(entry));

    // SignedCertificateTimestamp as RFC 6962 serialises it, in a one-element SignedCertificateTimestampList
    ByteArrayOutputStream sct = new ByteArrayOutputStream();
    sct.write(0); // v1
    sct.write(ctLogId);
    for (int i = 7; i >= 0; i--) {
      sct.write((int) (timestamp >>> (8 * i)));
    }
    sct.write(new byte[] {0, 0}); // no extensions
    sct.write(DigitallySigned.HashAlgorithm.SHA256.ordinal());
    sct.write(DigitallySigned.SignatureAlgorithm.ECDSA.ordinal());
    sct.write(uint16(sctSignature.length));
    sct.write(sctSignature);
    byte[] one = sct.toByteArray();
    byte[] list = concat(uint16(one.length + 2), concat(uint16(one.length), one));
    return leaf(who, key, serial, from, to, list);
  }

  private X509Certificate leaf(Identity who, PublicKey key, BigInteger serial, Date from, Date to, byte[] sctList) throws Exception {
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded()), serial, from, to, new X500Name(new RDN[0]), key);
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
    b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
    b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(intermediate));
    // Fulcio leaves have an empty subject, so the SAN is critical (RFC 5280 4.2.1.6)
    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, who.subject())));
    b.addExtension(FULCIO_ISSUER_V1, false, who.issuer().getBytes(StandardCharsets.UTF_8));
    b.addExtension(FULCIO_ISSUER_V2, false, new DERUTF8String(who.issuer()));
    b.addExtension(new ASN1ObjectIdentifier(SCT_LIST_OID), false, new DEROctetString(sctList));
    return new JcaX509CertificateConverter().getCertificate(b.build(signer(intermediateKey.getPrivate())));
  }

  // ------------------------------------------------------------------------------- helpers

  /** DSSE pre-authentication encoding. */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
    return concat(head, payload);
  }

  private static ContentSigner signer(PrivateKey key) throws Exception {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(data);
    return s.sign();
  }

  private static KeyPair p256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(159, RANDOM).add(BigInteger.ONE);
  }

  private static byte[] der(X509Certificate cert) {
    try {
      return cert.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(X509Certificate cert) {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der(cert))
        + "\n-----END CERTIFICATE-----\n";
  }

  private static byte[] uint16(int n) {
    return new byte[] {(byte) (n >>> 8), (byte) n};
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
