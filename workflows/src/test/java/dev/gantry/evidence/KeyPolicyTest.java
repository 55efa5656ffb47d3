package dev.gantry.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Key validity and keyless rules: what they accept, and that they travel in workflow payloads unchanged. */
class KeyPolicyTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private static String pem() throws Exception {
    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return PublicKeys.pem(g.generateKeyPair().getPublic());
  }

  private static <T> T roundTrip(T value, Class<T> type) {
    Optional<Payload> payload = DefaultDataConverter.STANDARD_INSTANCE.toPayload(value);
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload.orElseThrow(), type, type);
  }

  @Test
  void policiesWithKeyValidityAndKeylessRulesRoundTrip() throws Exception {
    var keyless = new KeylessPolicy("{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}",
        List.of(KeylessPolicy.Identity.exact("https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main",
                "https://token.actions.githubusercontent.com"),
            KeylessPolicy.Identity.regex("^https://github\\.com/acme/.*$", "https://token.actions.githubusercontent.com")));
    var keys = List.of(new TrustedKey(pem(), Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), false, "ci 2025"),
        new TrustedKey(pem(), null, null, true, "leaked"));
    var signature = new SignaturePolicy(keys, keyless);
    var provenance = new ProvenancePolicy(List.of("https://github.com/acme/*"), "https://github.com/acme/storefront", keys, keyless);
    var policy = new EvidencePolicy(provenance, null, null, null, null, null, Duration.ofMinutes(10), signature);

    assertThat(roundTrip(policy, EvidencePolicy.class)).isEqualTo(policy);
    assertThat(roundTrip(signature, SignaturePolicy.class)).isEqualTo(signature);
  }

  @Test
  void historiesWithBarePemStringsReadAsKeysWithoutLimits() throws Exception {
    String pem = pem();
    String json = "{\"trustedBuilders\":[\"b\"],\"sourceRepository\":\"r\",\"publicKeys\":[" + quote(pem) + "]}";
    Payload payload = Payload.newBuilder()
        .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
        .setData(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8)).build();
    ProvenancePolicy read = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, ProvenancePolicy.class, ProvenancePolicy.class);
    assertThat(read).isEqualTo(new ProvenancePolicy(List.of("b"), "r", List.of(pem)));
    assertThat(read.publicKeys().getFirst().refusal(NOW)).isNull();
    assertThat(read.keyless()).isNull();

    String sig = "{\"publicKeys\":[" + quote(pem) + "]}";
    Payload p2 = payload.toBuilder().setData(com.google.protobuf.ByteString.copyFromUtf8(sig)).build();
    assertThat(DefaultDataConverter.STANDARD_INSTANCE.fromPayload(p2, SignaturePolicy.class, SignaturePolicy.class))
        .isEqualTo(new SignaturePolicy(List.of(pem)));
  }

  @Test
  void aKeyOutsideItsValidityOrRevokedSaysWhichAndWhy() throws Exception {
    String pem = pem();
    String id = new TrustedKey(pem).keyId();
    assertThat(new TrustedKey(pem, null, Instant.parse("2026-01-01T00:00:00Z"), false, null).refusal(NOW))
        .isEqualTo("key " + id + " expired 2026-01-01T00:00:00Z");
    assertThat(new TrustedKey(pem, Instant.parse("2027-01-01T00:00:00Z"), null, false, null).refusal(NOW))
        .isEqualTo("key " + id + " is not valid before 2027-01-01T00:00:00Z");
    assertThat(new TrustedKey(pem, null, null, true, "leaked in INC-42").refusal(NOW))
        .isEqualTo("key " + id + " is revoked: leaked in INC-42");
    assertThat(new TrustedKey(pem, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), false, null).refusal(NOW)).isNull();
    // the end is exclusive: at notAfter the key is already expired
    assertThat(new TrustedKey(pem, null, NOW, false, null).refusal(NOW)).contains("expired");
    assertThatThrownBy(() -> new TrustedKey(pem, NOW, NOW, false, null)).hasMessageContaining("must be before");
  }

  @Test
  void identityRulesNeedOneSubjectFormAnIssuerAndAValidRegex() {
    assertThatThrownBy(() -> new KeylessPolicy.Identity(null, null, "https://issuer")).hasMessageContaining("neither");
    assertThatThrownBy(() -> new KeylessPolicy.Identity("a", "b", "https://issuer")).hasMessageContaining("both");
    assertThatThrownBy(() -> KeylessPolicy.Identity.exact("a", " ")).hasMessageContaining("issuer is required");
    assertThatThrownBy(() -> KeylessPolicy.Identity.regex("^(unclosed", "i")).hasMessageContaining("not a valid regular expression");
    assertThatThrownBy(() -> new KeylessPolicy("{}", List.of())).hasMessageContaining("at least one identity");
    assertThatThrownBy(() -> new KeylessPolicy(" ", List.of(KeylessPolicy.Identity.exact("a", "i")))).hasMessageContaining("trusted root");

    var regex = KeylessPolicy.Identity.regex("https://github\\.com/acme/.*", "https://token.actions.githubusercontent.com");
    assertThat(regex.matches("https://github.com/acme/x/.github/workflows/r.yml@refs/heads/main", "https://token.actions.githubusercontent.com")).isTrue();
    assertThat(regex.matches("https://github.com/acme/x", "https://accounts.google.com")).isFalse();
    // the regex must match the whole subject, not a part of it
    assertThat(regex.matches("https://evil.example/?https://github.com/acme/x", "https://token.actions.githubusercontent.com")).isFalse();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }
}
