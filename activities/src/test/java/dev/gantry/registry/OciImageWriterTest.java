package dev.gantry.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class OciImageWriterTest {
  @Test
  void theSameInputsGiveTheSameDigest() {
    var a = new OciImageWriter().file("b", "2").file("a/x", "1").label("k", "v");
    var b = new OciImageWriter().label("k", "v").file("a/x", "1").file("b", "2");

    assertThat(a.digest()).isEqualTo(b.digest()).matches("sha256:[0-9a-f]{64}");
    assertThat(new OciImageWriter().file("b", "2").file("a/x", "1").label("k", "w").digest())
        .isNotEqualTo(a.digest());
    assertThat(new OciImageWriter().file("b", "3").file("a/x", "1").label("k", "v").digest())
        .isNotEqualTo(a.digest());
  }

  @Test
  void theLayerIsAGzipTarWhoseDiffIdIsInTheConfig() throws Exception {
    var image = new OciImageWriter().file("app/version", "1.0").build();

    byte[] tar;
    try (var in = new GZIPInputStream(new ByteArrayInputStream(image.layer()))) {
      tar = in.readAllBytes();
    }
    assertThat(OciMedia.sha256(tar)).isEqualTo(image.diffId());
    assertThat(new String(image.config())).contains(image.diffId()).contains("\"amd64\"");
    assertThat(tar.length % 512).isZero();
    // directory entry first, then the file, then the two zero blocks that end a tar
    assertThat(new String(tar, 0, 4)).isEqualTo("app/");
    assertThat(new String(tar, 512, 11)).isEqualTo("app/version");
    assertThat(new String(tar, 1024, 3)).isEqualTo("1.0");
  }
}
