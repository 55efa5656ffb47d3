package dev.gantry.signing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The body of cosign's encrypted private keys ({@code ENCRYPTED SIGSTORE PRIVATE KEY}, formerly
 * {@code ENCRYPTED COSIGN PRIVATE KEY}): go-securesystemslib's {@code encrypted} JSON, a key
 * derived with scrypt from the password, the PKCS#8 DER key sealed in a NaCl secretbox
 * (XSalsa20-Poly1305):
 *
 * <pre>{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"…"},
 *  "cipher":{"name":"nacl/secretbox","nonce":"…"},"ciphertext":"…"}</pre>
 *
 * <p>Only the three scrypt parameter sets securesystemslib writes are accepted, as it does itself:
 * anything else in a tampered file could make the key derivation take minutes or gigabytes.
 */
final class EncryptedKey {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 24;
  private static final int SALT_BYTES = 32;
  private static final int TAG_BYTES = 16;

  /** scrypt N, r, p: securesystemslib's legacy (2^15), standard (2^16, its default) and OWASP sets. */
  record ScryptParams(int n, int r, int p) {
    static final ScryptParams LEGACY = new ScryptParams(32768, 8, 1);
    static final ScryptParams STANDARD = new ScryptParams(65536, 8, 1);
    static final ScryptParams OWASP = new ScryptParams(131072, 8, 1);
    static final List<ScryptParams> ACCEPTED = List.of(LEGACY, STANDARD, OWASP);
  }

  private EncryptedKey() {}

  /**
   * The plaintext (cosign: the PKCS#8 DER private key).
   *
   * @throws IllegalArgumentException with the reason: not this format, unsupported parameters, or
   *     a password that does not open it
   */
  static byte[] decrypt(byte[] json, char[] password) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the encrypted cosign key is not the JSON securesystemslib writes");
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the encrypted cosign key cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the encrypted cosign key is not a JSON object");
    }
    JsonNode kdf = root.path("kdf");
    JsonNode cipher = root.path("cipher");
    if (!"scrypt".equals(kdf.path("name").asText())) {
      throw new IllegalArgumentException(
          "the encrypted cosign key uses key derivation '" + kdf.path("name").asText() + "'; only scrypt is read");
    }
    if (!"nacl/secretbox".equals(cipher.path("name").asText())) {
      throw new IllegalArgumentException(
          "the encrypted cosign key uses cipher '" + cipher.path("name").asText() + "'; only nacl/secretbox is read");
    }
    JsonNode params = kdf.path("params");
    ScryptParams given =
        new ScryptParams(params.path("N").asInt(-1), params.path("r").asInt(-1), params.path("p").asInt(-1));
    if (!ScryptParams.ACCEPTED.contains(given)) {
      throw new IllegalArgumentException(
          "the encrypted cosign key asks for scrypt N=" + given.n() + " r=" + given.r() + " p=" + given.p()
              + "; only the parameter sets cosign writes are accepted (N=32768, 65536 or 131072, r=8, p=1)");
    }
    byte[] salt = base64(kdf.path("salt"), "kdf.salt");
    byte[] nonce = base64(cipher.path("nonce"), "cipher.nonce");
    byte[] box = base64(root.path("ciphertext"), "ciphertext");
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException(
          "the encrypted cosign key's nonce is " + nonce.length + " bytes, not " + NONCE_BYTES);
    }
    if (box.length < TAG_BYTES) {
      throw new IllegalArgumentException("the encrypted cosign key's ciphertext is too short to hold a key");
    }
    byte[] key = derive(password, salt, given);
    byte[] plain = open(box, nonce, key);
    if (plain == null) {
      throw new IllegalArgumentException(
          "cannot decrypt the cosign private key: wrong password (or the key file was altered)");
    }
    return plain;
  }

  /** Seals {@code plaintext} as securesystemslib's {@code Encrypt} does, with the given parameters. */
  static byte[] encrypt(byte[] plaintext, char[] password, ScryptParams params) {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[SALT_BYTES];
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    byte[] key = derive(password, salt, params);
    XSalsa20Engine engine = stream(key, nonce);
    byte[] macKey = new byte[KEY_BYTES];
    engine.processBytes(new byte[KEY_BYTES], 0, KEY_BYTES, macKey, 0);
    byte[] box = new byte[TAG_BYTES + plaintext.length];
    engine.processBytes(plaintext, 0, plaintext.length, box, TAG_BYTES);
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(macKey));
    mac.update(box, TAG_BYTES, plaintext.length);
    mac.doFinal(box, 0);

    ObjectNode root = JSON.createObjectNode();
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    ObjectNode p = kdf.putObject("params");
    p.put("N", params.n());
    p.put("r", params.r());
    p.put("p", params.p());
    kdf.put("salt", Base64.getEncoder().encodeToString(salt));
    ObjectNode c = root.putObject("cipher");
    c.put("name", "nacl/secretbox");
    c.put("nonce", Base64.getEncoder().encodeToString(nonce));
    root.put("ciphertext", Base64.getEncoder().encodeToString(box));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] derive(char[] password, byte[] salt, ScryptParams params) {
    java.nio.ByteBuffer utf8 = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
    byte[] exact = new byte[utf8.remaining()];
    utf8.get(exact);
    try {
      return SCrypt.generate(exact, salt, params.n(), params.r(), params.p(), KEY_BYTES);
    } finally {
      Arrays.fill(exact, (byte) 0);
    }
  }

  // NaCl secretbox open: the first 32 bytes of the XSalsa20 stream key Poly1305, the rest encrypt
  private static byte[] open(byte[] box, byte[] nonce, byte[] key) {
    XSalsa20Engine engine = stream(key, nonce);
    byte[] macKey = new byte[KEY_BYTES];
    engine.processBytes(new byte[KEY_BYTES], 0, KEY_BYTES, macKey, 0);
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(macKey));
    mac.update(box, TAG_BYTES, box.length - TAG_BYTES);
    byte[] tag = new byte[TAG_BYTES];
    mac.doFinal(tag, 0);
    if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, TAG_BYTES))) {
      return null;
    }
    byte[] plain = new byte[box.length - TAG_BYTES];
    engine.processBytes(box, TAG_BYTES, plain.length, plain, 0);
    return plain;
  }

  private static XSalsa20Engine stream(byte[] key, byte[] nonce) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    return engine;
  }

  private static byte[] base64(JsonNode node, String field) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("the encrypted cosign key has no " + field);
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the encrypted cosign key's " + field + " is not base64");
    }
  }
}
