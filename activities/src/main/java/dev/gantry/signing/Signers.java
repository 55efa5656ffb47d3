package dev.gantry.signing;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gantry's signing key from its configuration ({@code gantry.signing.*}): a key file or an AWS KMS key. */
public final class Signers {
  private static final Logger log = LoggerFactory.getLogger(Signers.class);
  private static final String CLASSPATH = "classpath:";

  private Signers() {}

  /**
   * The signer {@code key} names: {@code awskms://…} an AWS KMS key (cosign's URI), {@code
   * classpath:…} a PEM resource, anything else a PEM or cosign key file. A KMS key is read here, so
   * an unknown, disabled or unusable key stops start-up; a KMS that cannot be reached now is only
   * logged (signing retries later).
   *
   * @param password the cosign key file's password; null if it has none
   * @param kmsEndpoint an endpoint URL overriding KMS's (for a URI without {@code host:port}); null
   * @param kmsRegion the KMS Region; null for the ARN's or the environment's
   * @return null when {@code key} is null or blank: nothing is signed
   * @throws IllegalArgumentException what is wrong with the configuration, naming the property
   */
  public static Signer fromConfig(String key, char[] password, String kmsEndpoint, String kmsRegion) {
    boolean kmsSettings = present(kmsEndpoint) || present(kmsRegion);
    if (!present(key)) {
      if (kmsSettings) {
        throw new IllegalArgumentException("gantry.signing.kms-endpoint / kms-region are set but gantry.signing.key is not");
      }
      return null;
    }
    String value = key.strip();
    if (KmsKeyUri.isKmsUri(value)) {
      if (password != null && password.length > 0) {
        throw new IllegalArgumentException("gantry.signing.password is set, but " + value + " is a KMS key, which has none");
      }
      KmsSigner signer;
      try {
        signer = KmsSigner.open(value, kmsEndpoint, kmsRegion);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gantry.signing.key " + value + ": " + e.getMessage(), e);
      }
      return checked(signer);
    }
    if (value.matches("[a-z0-9]+kms://.*|hashivault://.*|k8s://.*|pkcs11:.*")) {
      throw new IllegalArgumentException(
          "gantry.signing.key " + value + ": only AWS KMS keys (awskms://…) and key files are supported");
    }
    if (kmsSettings) {
      throw new IllegalArgumentException(
          "gantry.signing.kms-endpoint / kms-region are set but gantry.signing.key " + value + " is a key file, not awskms://…");
    }
    try {
      if (value.startsWith(CLASSPATH)) {
        String resource = value.substring(CLASSPATH.length());
        try (InputStream in = Signers.class.getClassLoader().getResourceAsStream(resource)) {
          if (in == null) {
            throw new IllegalArgumentException("no resource " + resource);
          }
          return PemSigner.fromPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII), password);
        }
      }
      return PemSigner.read(Path.of(value), password);
    } catch (IOException e) {
      throw new UncheckedIOException("gantry.signing.key " + value + " cannot be read", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gantry.signing.key " + value + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static Signer checked(KmsSigner signer) {
    try {
      signer.publicKey();
      log.info("signing with {} ({}, {})", signer, signer.signingAlgorithm(), signer.keyArn());
    } catch (ApplicationFailure f) {
      if (f.isNonRetryable()) {
        signer.close();
        throw new IllegalArgumentException("gantry.signing.key " + signer.uri() + " cannot be used: " + f.getOriginalMessage(), f);
      }
      log.warn("{} cannot be read now ({}); signing will retry", signer, f.getOriginalMessage());
    }
    return signer;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
