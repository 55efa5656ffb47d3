package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README is the front door and docs/ holds the rest: every relative link between them (and
 * into the repository) names a file that exists, and every {@code #anchor} a heading that exists
 * there, slugged as GitHub does. So a moved section or renamed file fails the build, not a reader.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("(?<!!)\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final int README_MAX_LINES = 200;

  private static Path root;
  private static List<Path> pages;

  @BeforeAll
  static void pages() throws IOException {
    root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("README.md")).as("README.md at the repository root").isRegularFile();
    pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
  }

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> dead = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    int checked = 0;
    for (Path page : pages) {
      for (Link link : links(page)) {
        String target = link.target();
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // https:, mailto:: outside the repository
        }
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = root.relativize(page) + ":" + link.line() + " [" + link.label() + "](" + target + ")";
        if (!resolved.startsWith(root)) {
          dead.add(where + ": points outside the repository");
        } else if (!Files.exists(resolved)) {
          dead.add(where + ": no such file " + root.relativize(resolved));
        } else if (anchor != null) {
          if (!resolved.toString().endsWith(".md")) {
            dead.add(where + ": an anchor into a file that is not Markdown");
          } else if (!anchors.computeIfAbsent(resolved, DocsLinksTest::anchors).contains(anchor)) {
            dead.add(where + ": no heading with anchor #" + anchor + " in " + root.relativize(resolved));
          }
        }
      }
    }
    assertThat(dead).as("dead links in README.md and docs/").isEmpty();
    assertThat(checked).as("relative links checked").isGreaterThan(10);
  }

  @Test
  void theReadmeIsAFrontDoorThatLinksEveryPageOfTheDocs() throws IOException {
    List<String> readme = Files.readAllLines(root.resolve("README.md"));
    assertThat(readme.size()).as("README.md lines; move the detail to docs/").isLessThanOrEqualTo(README_MAX_LINES);
    Set<Path> linked = new HashSet<>();
    for (Link link : links(root.resolve("README.md"))) {
      String file = link.target().replaceFirst("#.*", "");
      if (!file.isEmpty() && !file.contains(":")) {
        linked.add(root.resolve(file).normalize());
      }
    }
    for (Path page : pages.subList(1, pages.size())) {
      assertThat(linked).as("README.md links " + root.relativize(page)).contains(page);
    }
  }

  @Test
  void slugsAreGitHubs() {
    assertThat(slug("Running on Temporal and PostgreSQL")).isEqualTo("running-on-temporal-and-postgresql");
    assertThat(slug("Signing, verification and admission")).isEqualTo("signing-verification-and-admission");
    assertThat(slug("`gantry verify bundle` — exit codes")).isEqualTo("gantry-verify-bundle--exit-codes");
  }

  record Link(int line, String label, String target) {}

  /** Links outside fenced code blocks and inline code spans. */
  static List<Link> links(Path page) throws IOException {
    List<Link> links = new ArrayList<>();
    boolean fenced = false;
    List<String> lines = Files.readAllLines(page);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(line.replaceAll("`[^`]*`(?![^\\[]*\\]\\()", "``"));
      while (m.find()) {
        links.add(new Link(i + 1, m.group(1), m.group(2)));
      }
    }
    return links;
  }

  /** The anchors GitHub gives a page's headings, with -1, -2 … for repeats. */
  static Set<String> anchors(Path page) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    try {
      for (String line : Files.readAllLines(page)) {
        if (line.strip().startsWith("```")) {
          fenced = !fenced;
          continue;
        }
        Matcher m = HEADING.matcher(line);
        if (fenced || !m.matches()) {
          continue;
        }
        String slug = slug(m.group(2));
        int n = seen.merge(slug, 1, Integer::sum);
        anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + page, e);
    }
    return anchors;
  }

  /** GitHub's heading slug: lower case, markup and punctuation dropped, spaces to hyphens. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
    text = Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    StringBuilder slug = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        slug.appendCodePoint(c);
      } else if (c == ' ') {
        slug.append('-');
      }
    });
    return slug.toString();
  }
}
