package dev.gantry.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where evidence and audit blobs live, content-addressed by sha256: the port the activities write
 * through and the API reads through. Implementations (a local directory today, S3 next) live with
 * the activities and are chosen by the server's wiring; workflow code never calls it.
 *
 * <p>Every implementation writes a blob once under its content address and checks a blob against
 * its name on every read, so a corrupted or edited blob is refused rather than served.
 */
public interface ObjectStore {

  /** Stores the content once (again is a no-op). @return {@code sha256:<hex>} of the content */
  String put(byte[] content);

  /** The blob, verified against its name; empty when absent. */
  Optional<byte[]> get(String id);

  /** Whether {@code id} is a content address: {@code sha256:<64 lowercase hex>}. */
  static boolean isId(String id) {
    if (id == null || id.length() != 71 || !id.startsWith("sha256:")) {
      return false;
    }
    for (int i = 7; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The lowercase hex sha256 of the content (a content address without its {@code sha256:}). */
  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
