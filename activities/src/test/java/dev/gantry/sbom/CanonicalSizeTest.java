package dev.gantry.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalSizeTest {

  @Test
  void equalsTheLengthOfTheCanonicalForm() {
    String tricky =
        "{\"z\":[1,1.0,-0.0,0.1,1e21,1E-7,123456789012345678901234,-42,3.141592653589793],"
            + "\"strings\":[\"\",\"quote\\\" backslash\\\\ slash/\",\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\","
            + "\"caf\u00e9 \u20ac \u2028 \ud83d\ude80\",\"lone \\ud800 surrogate\"],"
            + "\"\u00e9t\u00e9\":{\"nested\":{\"deeper\":[true,false,null,{},[]]}},\"a\":\"first after sorting\"}";
    JsonNode node = Json.read(tricky.getBytes(StandardCharsets.UTF_8), "tricky");

    assertThat(CanonicalSize.of(node, Long.MAX_VALUE)).isEqualTo(Json.canonical(node).length);
    for (String fixture : new String[] {"syft-cyclonedx-1.6.json", "trivy-cyclonedx-1.5.json", "syft-spdx-2.3.json"}) {
      ObjectNode sbom = SbomFixtures.load(fixture);
      assertThat(CanonicalSize.of(sbom, Long.MAX_VALUE)).as(fixture).isEqualTo(Json.canonical(sbom).length);
    }
  }

  @Test
  void stopsCountingPastTheLimit() {
    ObjectNode big = Json.WRITER.createObjectNode();
    String megabyte = "x".repeat(1 << 20);
    for (int i = 0; i < 64; i++) {
      big.put("k" + i, megabyte);
    }
    long size = CanonicalSize.of(big, 3L << 20);

    assertThat(size).isGreaterThan(3L << 20).isLessThan(5L << 20);
    assertThat(CanonicalSize.of(big, 100)).isGreaterThan(100);
  }
}
