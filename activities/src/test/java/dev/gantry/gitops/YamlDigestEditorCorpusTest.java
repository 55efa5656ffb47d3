package dev.gantry.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every directory under {@code yaml-corpus/} is a case: {@code input.yaml} and {@code path.txt},
 * then either {@code expected.yaml} (the exact bytes after pinning {@link #NEW}) or
 * {@code error.txt} (the refusal kind). The corpus is written by {@code src/test/corpus-gen}.
 */
class YamlDigestEditorCorpusTest {

  static final String NEW =
      "sha256:11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437";

  static Stream<String> cases() throws IOException, URISyntaxException {
    Path root = corpus();
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  static Path corpus() throws URISyntaxException {
    return Path.of(YamlDigestEditorCorpusTest.class.getResource("/yaml-corpus").toURI());
  }

  @Test
  void corpusIsThere() throws Exception {
    // A missing or half-copied corpus must fail loudly, not run zero cases.
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void corpusCase(String name) throws Exception {
    Path dir = corpus().resolve(name);
    byte[] inputBytes = Files.readAllBytes(dir.resolve("input.yaml"));
    // Java's UTF-8 decoder keeps a BOM as U+FEFF, so it survives the round trip.
    String input = new String(inputBytes, StandardCharsets.UTF_8);
    String path = Files.readString(dir.resolve("path.txt")).strip();

    if (Files.exists(dir.resolve("error.txt"))) {
      YamlEditException.Kind kind =
          YamlEditException.Kind.valueOf(Files.readString(dir.resolve("error.txt")).strip());
      assertThatThrownBy(() -> YamlDigestEditor.edit(input, path, NEW))
          .isInstanceOfSatisfying(YamlEditException.class, e -> assertThat(e.kind()).isEqualTo(kind))
          .hasMessageNotContaining("null");
      return;
    }

    byte[] expected = Files.readAllBytes(dir.resolve("expected.yaml"));
    YamlDigestEditor.Edit edit = YamlDigestEditor.edit(input, path, NEW);
    byte[] actual = edit.content().getBytes(StandardCharsets.UTF_8);
    assertThat(new String(actual, StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    assertThat(actual).isEqualTo(expected);

    assertThat(YamlDigestEditor.read(edit.content(), path)).isEqualTo(NEW);
    assertThat(YamlDigestEditor.read(input, path)).isEqualTo(edit.previous());
    assertOnlyValueChanged(inputBytes, actual, edit.previous());

    // Pinning again is a no-op that returns the same text.
    YamlDigestEditor.Edit again = YamlDigestEditor.edit(edit.content(), path, NEW);
    assertThat(again.content()).isEqualTo(edit.content());
    assertThat(again.previous()).isEqualTo(NEW);
  }

  /** The bytes between the common prefix and suffix lie inside the written value. */
  static void assertOnlyValueChanged(byte[] before, byte[] after, String previous) {
    int prefix = 0;
    int max = Math.min(before.length, after.length);
    while (prefix < max && before[prefix] == after[prefix]) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < max - prefix
        && before[before.length - 1 - suffix] == after[after.length - 1 - suffix]) {
      suffix++;
    }
    byte[] newValue = NEW.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(after, newValue);
    assertThat(at).as("new value written").isGreaterThanOrEqualTo(0);
    // An empty `key:` also receives a separating space, which a byte diff may align either side.
    int slack = previous.isEmpty() ? 1 : 0;
    assertThat(prefix).as("first changed byte").isGreaterThanOrEqualTo(at - slack);
    assertThat(after.length - suffix).as("end of change").isLessThanOrEqualTo(at + newValue.length + slack);
    if (!previous.isEmpty() && !previous.equals("~")) {
      int was = indexOf(before, previous.getBytes(StandardCharsets.UTF_8));
      assertThat(prefix).isGreaterThanOrEqualTo(was);
      assertThat(before.length - suffix).isLessThanOrEqualTo(was + previous.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void readReturnsTheValueWithoutQuotes() {
    String yaml = "a:\n  b: 'it''s'\n  c: \"x\\\"y\"\n";
    assertThat(YamlDigestEditor.read(yaml, "a.b")).isEqualTo("it's");
    assertThat(YamlDigestEditor.read(yaml, "a.c")).isEqualTo("x\"y");
  }

  @Test
  void quotesInTheNewValueAreEscapedForTheStyle() {
    String yaml = "a: 'x'\nb: \"y\"\n";
    String edited = YamlDigestEditor.edit(yaml, "a", "it's").content();
    edited = YamlDigestEditor.edit(edited, "b", "say \"hi\"").content();
    assertThat(edited).isEqualTo("a: 'it''s'\nb: \"say \\\"hi\\\"\"\n");
  }

  @Test
  void plainValueThatWouldChangeMeaningIsRefused() {
    assertThatThrownBy(() -> YamlDigestEditor.edit("a: x\n", "a", "y # comment"))
        .isInstanceOfSatisfying(
            YamlEditException.class, e -> assertThat(e.kind()).isEqualTo(YamlEditException.Kind.UNSUPPORTED));
  }

  @Test
  void invalidPathsAreNotFound() {
    for (String path : Arrays.asList("", "a..b", "a.[0]", "a[x]")) {
      assertThatThrownBy(() -> YamlDigestEditor.read("a: b\n", path))
          .as(path)
          .isInstanceOfSatisfying(
              YamlEditException.class, e -> assertThat(e.kind()).isEqualTo(YamlEditException.Kind.PATH_NOT_FOUND));
    }
  }

  @Test
  void emptyFileHasNoPath() {
    assertThatThrownBy(() -> YamlDigestEditor.read("# only a comment\n", "image.digest"))
        .isInstanceOfSatisfying(
            YamlEditException.class, e -> assertThat(e.kind()).isEqualTo(YamlEditException.Kind.PATH_NOT_FOUND));
  }
}
