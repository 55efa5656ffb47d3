package dev.gantry.signing;

import dev.gantry.registry.AttestationWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * A private key read from a PEM file: PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what {@code
 * openssl genpkey} writes) or cosign's own encrypted format ({@code ENCRYPTED SIGSTORE PRIVATE
 * KEY}, or {@code ENCRYPTED COSIGN PRIVATE KEY} from older cosign), as {@code cosign
 * generate-key-pair} writes it, with its password. Keys: ECDSA P-256 / P-384 / P-521, RSA (2048 bits
 * or more), Ed25519.
 */
public final class PemSigner implements Signer {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
  private static final List<String> COSIGN_TYPES =
      List.of("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY");
  // an Ed25519 SubjectPublicKeyInfo is this prefix and the 32-byte key (RFC 8410)
  private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final int MIN_RSA_BITS = 2048;

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;
  private final String algorithm;

  private PemSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = AttestationWriter.keyHint(publicKey);
    this.algorithm = KeyAlgorithms.jcaName(privateKey);
  }

  /** An unencrypted PKCS#8 PEM private key. */
  public static PemSigner fromPem(String pem) {
    return fromPem(pem, null);
  }

  /**
   * A PEM private key: PKCS#8, or cosign's encrypted format opened with {@code password} (cosign
   * encrypts with an empty password when {@code COSIGN_PASSWORD} is empty: pass an empty array).
   *
   * @throws IllegalArgumentException saying why the key cannot be used: not PEM, another PEM type,
   *     a password missing or wrong, an unsupported key type or size
   */
  public static PemSigner fromPem(String pem, char[] password) {
    Objects.requireNonNull(pem, "pem");
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "not a PEM private key: no -----BEGIN …----- / -----END …----- block");
    }
    String type = m.group(1);
    byte[] body;
    try {
      body = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM block " + type + " is not base64");
    }
    byte[] pkcs8;
    if (type.equals("PRIVATE KEY")) {
      pkcs8 = body;
    } else if (COSIGN_TYPES.contains(type)) {
      if (password == null) {
        throw new IllegalArgumentException(
            "the key is a cosign encrypted private key (" + type + "): its password is needed");
      }
      pkcs8 = EncryptedKey.decrypt(body, password);
    } else if (type.equals("PUBLIC KEY")) {
      throw new IllegalArgumentException("this is a public key (PUBLIC KEY); signing needs the private key");
    } else {
      throw new IllegalArgumentException(
          "PEM type " + type + " is not read; convert the key to PKCS#8 ('openssl pkcs8 -topk8 -nocrypt')"
              + " or use a cosign key ('cosign generate-key-pair')");
    }
    try {
      return fromKey(pkcs8Key(pkcs8));
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** {@link #fromPem(String, char[])} over a file. */
  public static PemSigner read(Path file, char[] password) {
    try {
      return fromPem(Files.readString(file, StandardCharsets.US_ASCII), password);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("private key file " + file + " does not exist");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IllegalArgumentException("private key file " + file + " is not a PEM text file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read private key file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** A key already in memory; its public key is derived from it. */
  public static PemSigner fromKey(PrivateKey key) {
    Objects.requireNonNull(key, "key");
    return new PemSigner(key, publicKeyOf(key));
  }

  @Override
  public String keyId() {
    return keyId;
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(privateKey);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the " + KeyAlgorithms.describe(privateKey) + " key", e);
    }
  }

  @Override
  public String toString() {
    return "PemSigner[" + KeyAlgorithms.describe(privateKey) + " " + keyId + "]";
  }

  private static PrivateKey pkcs8Key(byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("the PKCS#8 private key is not an ECDSA, RSA or Ed25519 key");
  }

  private static PublicKey publicKeyOf(PrivateKey key) {
    try {
      return switch (key) {
        case ECPrivateKey ec -> ecPublic(ec);
        case RSAPrivateCrtKey rsa -> {
          if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException(
                "RSA key of " + rsa.getModulus().bitLength() + " bits: cosign needs at least " + MIN_RSA_BITS);
          }
          yield KeyFactory.getInstance("RSA")
              .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        case EdECPrivateKey ed -> {
          if (!"Ed25519".equals(ed.getParams().getName())) {
            throw new IllegalArgumentException("EdDSA curve " + ed.getParams().getName() + " is not Ed25519");
          }
          byte[] seed = ed.getBytes().orElseThrow(() -> new IllegalArgumentException("the Ed25519 key hides its bytes"));
          byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
          byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + raw.length);
          System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
          yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        }
        default -> throw new IllegalArgumentException(
            "unsupported private key " + key.getAlgorithm() + " (" + key.getClass().getSimpleName()
                + "): use ECDSA P-256/P-384, RSA or Ed25519");
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot derive the public key: " + e.getMessage(), e);
    }
  }

  // Q = d·G on the key's named curve
  private static PublicKey ecPublic(ECPrivateKey key) throws GeneralSecurityException {
    BigInteger order = key.getParams().getOrder();
    String curve =
        switch (order.bitLength()) {
          case 256 -> "P-256";
          case 384 -> "P-384";
          case 521 -> "P-521";
          default -> throw new IllegalArgumentException(
              "ECDSA key on a " + order.bitLength() + "-bit curve: cosign keys are P-256, P-384 or P-521");
        };
    X9ECParameters x9 = ECNamedCurveTable.getByName(curve);
    if (!x9.getN().equals(order)
        || !x9.getG().getAffineXCoord().toBigInteger().equals(key.getParams().getGenerator().getAffineX())) {
      throw new IllegalArgumentException("ECDSA key is not on the NIST curve " + curve);
    }
    var q = x9.getG().multiply(key.getS()).normalize();
    ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, key.getParams()));
  }
}
