package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The payloads match, byte for byte, what cosign v3.1.3 wrote for the same image. */
class CosignPayloadsTest {
  private static final String DIGEST = "sha256:ec0657159b4f2d3eafab4d9b2b19ba7140365fd76125207b25af6fbbc40008c3";

  @Test
  void theSimpleSigningPayloadIsCosignsOwn() {
    // the layer of `cosign sign --new-bundle-format=false` for 127.0.0.1:5077/other@DIGEST
    String cosign =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"127.0.0.1:5077/other\"},\"image\":"
            + "{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"cosign container image signature\"},"
            + "\"optional\":null}";

    assertThat(text(CosignPayloads.simpleSigning("127.0.0.1:5077/other", DIGEST, Map.of()))).isEqualTo(cosign);
    assertThat(text(CosignPayloads.simpleSigning("127.0.0.1:5077/other", DIGEST, Map.of("z", "1", "env", "prod"))))
        .endsWith("\"optional\":{\"env\":\"prod\",\"z\":\"1\"}}");
  }

  @Test
  void theSignStatementIsCosignsOwn() {
    // the DSSE payload of cosign v3's bundle for the same digest, no annotations
    String cosign =
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\""
            + DIGEST.substring(7) + "\"},\"annotations\":{}}],\"predicateType\":"
            + "\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";

    assertThat(text(CosignPayloads.signStatement(DIGEST, Map.of()))).isEqualTo(cosign);
    assertThat(text(CosignPayloads.signStatement(DIGEST, Map.of("env", "prod"))))
        .contains("\"annotations\":{\"env\":\"prod\"}");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
