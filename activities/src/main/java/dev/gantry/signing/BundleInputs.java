package dev.gantry.signing;

import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What the keyless and the keyed bundle verifier both read and check: the Sigstore bundle (its
 * protobuf form and media type), the trusted root (refusing validity intervals without a start),
 * the files a verification is given, and the times of transparency log entries against the trusted
 * root. Every failure is a {@link Refused} with a reason for a person; {@link BundleVerifier}
 * turns it into a refusal.
 */
final class BundleInputs {

  private BundleInputs() {}

  // the media types sigstore-java's own reader accepts (its list is package-private)
  private static final Set<String> MEDIA_TYPES =
      Set.of(
          "application/vnd.dev.sigstore.bundle+json;version=0.1",
          "application/vnd.dev.sigstore.bundle+json;version=0.2",
          "application/vnd.dev.sigstore.bundle+json;version=0.3",
          "application/vnd.dev.sigstore.bundle.v0.3+json");

  static dev.sigstore.proto.bundle.v1.Bundle parseBundle(byte[] json, String label) {
    var builder = dev.sigstore.proto.bundle.v1.Bundle.newBuilder();
    try {
      ProtoJson.parser().merge(new String(json, StandardCharsets.UTF_8), builder);
    } catch (IOException | RuntimeException e) {
      throw new Refused(label + " is not a valid Sigstore bundle: " + messages(e));
    }
    var bundle = builder.build();
    if (!MEDIA_TYPES.contains(bundle.getMediaType())) {
      throw new Refused("unsupported bundle media type '" + bundle.getMediaType() + "'");
    }
    return bundle;
  }

  static SigstoreTrustedRoot trustedRoot(byte[] json, String label) {
    var tr = requireValidityStarts(json, label);
    try {
      return SigstoreTrustedRoot.from(tr);
    } catch (dev.sigstore.trustroot.SigstoreConfigurationException | RuntimeException e) {
      throw new Refused(label + " cannot be used: " + messages(e));
    }
  }

  /**
   * Every validity interval in the trusted root must have its start. sigstore-java 2.0.0 reads a
   * missing start as the epoch, i.e. unbounded, which would trust a key for all of the past.
   */
  private static TrustedRoot requireValidityStarts(byte[] json, String label) {
    var builder = TrustedRoot.newBuilder();
    try {
      ProtoJson.parser().merge(new String(json, StandardCharsets.UTF_8), builder);
    } catch (IOException | RuntimeException e) {
      throw new Refused(label + " cannot be read: " + messages(e));
    }
    var tr = builder.build();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < tr.getTlogsCount(); i++) {
      var pk = tr.getTlogs(i).getPublicKey();
      if (pk.hasValidFor() && !pk.getValidFor().hasStart()) {
        missing.add("tlogs[" + i + "] " + tr.getTlogs(i).getBaseUrl());
      }
    }
    for (int i = 0; i < tr.getCtlogsCount(); i++) {
      var pk = tr.getCtlogs(i).getPublicKey();
      if (pk.hasValidFor() && !pk.getValidFor().hasStart()) {
        missing.add("ctlogs[" + i + "] " + tr.getCtlogs(i).getBaseUrl());
      }
    }
    for (int i = 0; i < tr.getCertificateAuthoritiesCount(); i++) {
      var ca = tr.getCertificateAuthorities(i);
      if (ca.hasValidFor() && !ca.getValidFor().hasStart()) {
        missing.add("certificateAuthorities[" + i + "] " + ca.getUri());
      }
    }
    for (int i = 0; i < tr.getTimestampAuthoritiesCount(); i++) {
      var tsa = tr.getTimestampAuthorities(i);
      if (tsa.hasValidFor() && !tsa.getValidFor().hasStart()) {
        missing.add("timestampAuthorities[" + i + "] " + tsa.getUri());
      }
    }
    if (!missing.isEmpty()) {
      throw new Refused(label + " is malformed: validFor without a start in " + String.join(", ", missing));
    }
    return tr;
  }

  /**
   * A log entry's integrated time (Rekor v1; v2 entries carry none) must fall inside the validity
   * of the log's key in the trusted root, and inside the signing certificate's validity.
   * sigstore-java 2.0.0 checks neither, so a certificate used after it expired would pass.
   */
  static void checkLogTimes(List<RekorEntry> entries, SigstoreTrustedRoot root, X509Certificate leaf, Instant now) {
    for (var entry : entries) {
      if (entry.getIntegratedTime() <= 0) {
        continue;
      }
      Instant at = entry.getIntegratedTimeInstant();
      if (at.isAfter(now)) {
        throw new Refused("the transparency log entry's integrated time " + at + " is in the future");
      }
      byte[] logId = HexFormat.of().parseHex(entry.getLogID());
      boolean logValid =
          root.getTLogs().stream()
              .filter(t -> Arrays.equals(t.getLogId().getKeyId(), logId))
              .anyMatch(t -> t.getPublicKey().getValidFor().contains(at));
      if (!logValid) {
        throw new Refused(
            "no transparency log in the trusted root was valid at the entry's integrated time " + at);
      }
      if (leaf != null) {
        try {
          leaf.checkValidity(Date.from(at));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
          throw new Refused(
              "the transparency log integrated the signature at " + at + ", outside the signing"
                  + " certificate's validity " + leaf.getNotBefore().toInstant() + " .. "
                  + leaf.getNotAfter().toInstant());
        }
      }
    }
  }

  static Path readable(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new Refused("the " + what + " file " + file + " does not exist or cannot be read");
    }
    return file;
  }

  static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Refused(file + " does not exist");
    } catch (IOException e) {
      throw new Refused("cannot read " + file + ": " + e.getMessage());
    }
  }

  static byte[] sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      var md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return md.digest();
    } catch (IOException e) {
      throw new Refused("cannot read " + file + ": " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The messages of a cause chain, so the reason names the root problem too. */
  static String messages(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 5; c = c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip();
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    return String.join(": ", parts);
  }

  /** A refusal with a reason for a person; control flow inside the bundle verifiers only. */
  static final class Refused extends RuntimeException {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
