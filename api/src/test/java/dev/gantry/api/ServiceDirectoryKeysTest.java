package dev.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.evidence.EvidencePolicy;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.TrustedKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ByteArrayResource;

/**
 * Keys with a validity and keyless rules, as an operator writes them in YAML: what start-up reads,
 * and every mistake it refuses with the reason.
 */
class ServiceDirectoryKeysTest {
  static String ci;
  static String old;
  static Path publicGood;
  @TempDir Path dir;

  @BeforeAll
  static void keys() throws Exception {
    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ci = PublicKeys.pem(g.generateKeyPair().getPublic());
    old = PublicKeys.pem(g.generateKeyPair().getPublic());
    Path d = Path.of("").toAbsolutePath();
    while (d != null && !Files.exists(d.resolve("mvnw"))) {
      d = d.getParent();
    }
    publicGood = d == null ? null : d.resolve("../shared/testdata/sigstore-conformance/trusted_root.public-good.json").normalize();
    if (publicGood == null || !Files.isRegularFile(publicGood)) {
      fail("the Sigstore public-good trusted root is missing: expected <repo>/../shared/testdata/sigstore-conformance/trusted_root.public-good.json");
    }
  }

  /** One service with one environment requiring the given gates, plus the service-level YAML given. */
  private static String yaml(String require, String serviceYaml) {
    return """
        gantry:
          services:
            - name: storefront
              image: registry.acme.test/storefront
              source-repository: https://github.com/acme/storefront
              trusted-builders: [https://github.com/acme/*]
        %s
              environments:
                - name: dev
                  gitops: {repository: /tmp/gitops.git, file: values-dev.yaml}
                  health-url: http://127.0.0.1:1/health
                  evidence:
                    require: [%s]
        """.formatted(serviceYaml.indent(6).stripTrailing(), require);
  }

  private static ServiceDirectory directory(String yaml) throws IOException {
    var sources = new YamlPropertySourceLoader().load("test", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
    var props = new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources))
        .bind("gantry", ApiProperties.class).get();
    return new ServiceDirectory(props);
  }

  private static EvidencePolicy policy(String yaml) throws IOException {
    return directory(yaml).service("storefront").environments().getFirst().evidence();
  }

  private static String block(String pem) {
    return "|\n" + pem.strip().indent(6).stripTrailing();
  }

  private String keyless(String identities) {
    return "keyless:\n  trusted-root: " + publicGood + "\n  identities:\n" + identities.indent(4).stripTrailing();
  }

  @Test
  void keysAreBarePemOrMapsWithTheirValidity() throws Exception {
    Path keyFile = dir.resolve("old.pub");
    Files.writeString(keyFile, old);
    var policy = policy(yaml("signature, provenance", """
        signing-keys:
          - %s
          - key: %s
            not-before: 2025-01-01T00:00:00Z
            not-after: 2026-01-01T00:00:00Z
            revoked: true
            note: leaked in INC-1234
        provenance-keys:
          - key: %s
            not-after: 2027-01-01T00:00:00Z
        """.formatted(block(ci), keyFile, block(ci))));

    assertThat(policy.signature().publicKeys()).containsExactly(
        new TrustedKey(ci.strip(), null, null, false, null),
        new TrustedKey(old, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), true, "leaked in INC-1234"));
    assertThat(policy.signature().keyless()).isNull();
    assertThat(policy.provenance().publicKeys()).singleElement()
        .satisfies(k -> assertThat(k.notAfter()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z")));
  }

  @Test
  void theDemoConfigurationWithBarePemKeysStillReads() throws Exception {
    Path d = Path.of("").toAbsolutePath();
    while (!Files.exists(d.resolve("mvnw"))) {
      d = d.getParent();
    }
    Path demo = d.resolve("server/src/main/resources/application-demo.yaml");
    var policy = directory(Files.readString(demo)).service("storefront").environments().getFirst().evidence();

    assertThat(policy.signature().publicKeys()).singleElement().satisfies(k -> {
      assertThat(k.pem()).startsWith("-----BEGIN PUBLIC KEY-----");
      assertThat(k.refusal(Instant.now())).isNull();
    });
    assertThat(policy.provenance().publicKeys()).hasSize(1);
    assertThat(policy.signature().keyless()).isNull();
  }

  @Test
  void keylessRulesAloneSatisfyTheSignatureAndProvenanceGates() throws Exception {
    var policy = policy(yaml("signature, provenance", keyless("""
        - subject: https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main
          issuer: https://token.actions.githubusercontent.com
        - subject-regex: ^https://github\\.com/acme/.*$
          issuer: https://token.actions.githubusercontent.com
        """)));

    KeylessPolicy expected = new KeylessPolicy(Files.readString(publicGood), List.of(
        KeylessPolicy.Identity.exact("https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main",
            "https://token.actions.githubusercontent.com"),
        KeylessPolicy.Identity.regex("^https://github\\.com/acme/.*$", "https://token.actions.githubusercontent.com")));
    assertThat(policy.signature().keyless()).isEqualTo(expected);
    assertThat(policy.signature().publicKeys()).isEmpty();
    assertThat(policy.provenance().keyless()).isEqualTo(expected);
  }

  @Test
  void aGateWithNeitherKeysNorKeylessIsRefused() {
    assertThatThrownBy(() -> directory(yaml("signature", "")))
        .hasMessageContaining("the signature gate needs the service's signing-keys (the PEM public keys CI signs with) or keyless identities");
    assertThatThrownBy(() -> directory(yaml("provenance", "")))
        .hasMessageContaining("the provenance gate needs the service's provenance-keys (PEM public keys) or keyless identities");
  }

  @Test
  void anUnreadableOrWrongTrustedRootIsRefused() throws Exception {
    String identity = "- subject: https://github.com/acme/x\n  issuer: https://token.actions.githubusercontent.com\n";
    String missing = keyless(identity).replace(publicGood.toString(), dir.resolve("nope.json").toString());
    Path bundle = dir.resolve("bundle.json");
    Files.writeString(bundle, "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}");

    assertThatThrownBy(() -> directory(yaml("signature", missing)))
        .hasMessageContaining("service storefront keyless: cannot read the trusted root " + dir.resolve("nope.json"));
    assertThatThrownBy(() -> directory(yaml("signature", keyless(identity).replace(publicGood.toString(), bundle.toString()))))
        .hasMessageContaining("is not a Sigstore trusted root");
    assertThatThrownBy(() -> directory(yaml("signature", "keyless:\n  identities:\n" + identity.indent(4))))
        .hasMessageContaining("trusted-root is required");
  }

  @Test
  void identitiesNeedExactlyOneSubjectFormAValidRegexAndAnIssuer() {
    assertThatThrownBy(() -> directory(yaml("signature", keyless("- issuer: https://token.actions.githubusercontent.com\n"))))
        .hasMessageContaining("identities[0]: an identity needs exactly one of subject and subject-regex, it has neither");
    assertThatThrownBy(() -> directory(yaml("signature", keyless(
        "- subject: https://github.com/acme/x\n  subject-regex: .*\n  issuer: https://token.actions.githubusercontent.com\n"))))
        .hasMessageContaining("it has both");
    assertThatThrownBy(() -> directory(yaml("signature", keyless(
        "- subject-regex: \"^https://github\\\\.com/(acme\"\n  issuer: https://token.actions.githubusercontent.com\n"))))
        .hasMessageContaining("subject-regex '^https://github\\.com/(acme' is not a valid regular expression");
    assertThatThrownBy(() -> directory(yaml("signature", keyless("- subject: https://github.com/acme/x\n"))))
        .hasMessageContaining("the identity https://github.com/acme/x has no issuer: the OIDC issuer is required");
    assertThatThrownBy(() -> directory(yaml("signature", "keyless:\n  trusted-root: " + publicGood + "\n")))
        .hasMessageContaining("identities are required");
  }

  @Test
  void aKeyWithoutItsPemOrWithItsValidityBackwardsIsRefused() {
    assertThatThrownBy(() -> directory(yaml("signature", "signing-keys:\n  - not-after: 2026-01-01T00:00:00Z\n")))
        .hasMessageContaining("signing-keys: every key needs its PEM public key");
    assertThatThrownBy(() -> directory(yaml("signature", """
        signing-keys:
          - key: %s
            not-before: 2027-01-01T00:00:00Z
            not-after: 2026-01-01T00:00:00Z
        """.formatted(block(ci)))))
        .hasMessageContaining("not-before 2027-01-01T00:00:00Z must be before its not-after 2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> directory(yaml("signature", "signing-keys:\n  - key: ssh-ed25519 AAAA\n")))
        .hasMessageContaining("cannot read key file ssh-ed25519 AAAA");
  }
}
