package dev.gantry.server.keyless;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.signing.BundleVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link LocalSigstore} mints verifies with sigstore-java 2.0.0 as Gantry calls it, for the
 * identity it was minted for only, against its own trusted root only: the fixture the keyless
 * end-to-end story relies on is checked on its own first.
 */
class LocalSigstoreTest {
  static final LocalSigstore.Identity CI = new LocalSigstore.Identity(
      "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main", "https://token.actions.githubusercontent.com");
  static final LocalSigstore.Identity OTHER = new LocalSigstore.Identity(
      "https://gitlab.com/mallory/shop//.gitlab-ci.yml@refs/heads/main", "https://gitlab.com");

  static String digest(int n) {
    return "sha256:" + HexFormat.of().formatHex(LocalSigstore.sha256(("image " + n).getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] statement(String digest) {
    return LocalSigstore.statement("shop", digest, "https://sigstore.dev/cosign/sign/v1", JsonNodeFactory.instance.objectNode());
  }

  static KeylessPolicy trusting(LocalSigstore sigstore, LocalSigstore.Identity who) {
    return new KeylessPolicy(sigstore.trustedRootJson(), List.of(KeylessPolicy.Identity.exact(who.subject(), who.issuer())));
  }

  @Test
  void aMintedBundleVerifiesForItsIdentityOverItsDigest() {
    LocalSigstore sigstore = new LocalSigstore("local");
    // several entries, so the inclusion proofs have hashes to walk, each against its own tree size
    List<byte[]> bundles = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      bundles.add(sigstore.signDsse(CI, statement(digest(n))));
    }
    for (int n = 0; n < 5; n++) {
      var r = BundleVerifier.verifyKeyless(bundles.get(n), digest(n), trusting(sigstore, CI), Instant.now());
      assertThat(r.verified()).as(r.reason()).isTrue();
      assertThat(r.identity()).isEqualTo(CI.subject() + " (issuer " + CI.issuer() + ")");
    }
    var otherDigest = BundleVerifier.verifyKeyless(bundles.get(0), digest(1), trusting(sigstore, CI), Instant.now());
    assertThat(otherDigest.verified()).isFalse();
    assertThat(otherDigest.reason()).contains("does not match any subject sha256 digests");
  }

  @Test
  void anotherIdentityIsRefusedByName() {
    LocalSigstore sigstore = new LocalSigstore("local");
    var r = BundleVerifier.verifyKeyless(sigstore.signDsse(OTHER, statement(digest(1))), digest(1), trusting(sigstore, CI), Instant.now());
    assertThat(r.verified()).isFalse();
    assertThat(r.reason()).contains("the certificate identity " + OTHER.subject() + " (issuer " + OTHER.issuer() + ") matches none");
  }

  @Test
  void anotherInstancesRootTrustsNothingItMinted() {
    LocalSigstore ours = new LocalSigstore("ours");
    LocalSigstore theirs = new LocalSigstore("theirs");
    var r = BundleVerifier.verifyKeyless(theirs.signDsse(CI, statement(digest(1))), digest(1), trusting(ours, CI), Instant.now());
    assertThat(r.verified()).isFalse();
    assertThat(r.reason()).contains("does not chain to a certificate authority");
  }
}
