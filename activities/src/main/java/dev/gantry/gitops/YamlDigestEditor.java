package dev.gantry.gitops;

import dev.gantry.gitops.YamlEditException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.tokens.ScalarToken;

/**
 * Replaces one scalar in a YAML text without re-serialising it: the bytes of the scalar are
 * swapped in place, so comments, key order, indentation, quoting, anchors, line endings and a
 * byte order mark stay exactly as they were.
 *
 * <p>Paths are dot-separated mapping keys with optional sequence indexes: {@code image.digest},
 * {@code images[1].digest}, {@code [0].image}. Keys containing dots or brackets are not
 * addressable.
 *
 * <p>Several documents in one file: the path must resolve in exactly one of them. When it
 * resolves in none the path is not found; when it resolves in more than one the edit is refused
 * as ambiguous, because silently picking one would pin a digest where the author may not expect
 * it (a multi-document manifest usually holds the image in one document only).
 *
 * <p>Refused as {@link Kind#UNSUPPORTED}: the target is a collection, a block scalar ({@code |},
 * {@code >}), reached through an alias ({@code *x}), or inside or at an anchored node that an
 * alias reuses (editing it would change the other places too); a missing key in a mapping with a
 * merge key ({@code <<}), whose value may be inherited; duplicate keys; text that is not YAML.
 */
public final class YamlDigestEditor {

  private YamlDigestEditor() {}

  /**
   * The result of an edit.
   *
   * @param content the new file content (the same text when nothing changed)
   * @param previous the value the scalar held before; empty string for {@code key:} with no value
   */
  public record Edit(String content, String previous) {}

  private static final Pattern SEGMENT = Pattern.compile("([^\\[\\]]*)((?:\\[\\d+])*)");
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  /** The value of the scalar at {@code path}. */
  public static String read(String content, String path) {
    return locate(content, parsePath(path)).node().getValue();
  }

  /** Replaces the scalar at {@code path} with {@code value}, keeping its quoting style. */
  public static Edit edit(String content, String path, String value) {
    if (value.isEmpty() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new YamlEditException(
          Kind.UNSUPPORTED, "refusing to write an empty value or one with control characters");
    }
    List<Step> steps = parsePath(path);
    Located target = locate(content, steps);
    String previous = target.node().getValue();
    if (previous.equals(value)) {
      return new Edit(content, previous);
    }
    int start = content.offsetByCodePoints(0, target.startCodePoint());
    int end = content.offsetByCodePoints(start, target.endCodePoint() - target.startCodePoint());
    String replacement;
    if (target.insert()) {
      // `key:` with nothing after it: the value needs a separating space after the colon.
      replacement = " " + value;
    } else {
      replacement =
          switch (target.node().getScalarStyle()) {
            case PLAIN -> value;
            case SINGLE_QUOTED -> "'" + value.replace("'", "''") + "'";
            case DOUBLE_QUOTED -> "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            default -> throw new YamlEditException(Kind.UNSUPPORTED, "unexpected style at " + path);
          };
    }
    String result = content.substring(0, start) + replacement + content.substring(end);
    // A plain scalar can change meaning (or break the file) depending on what it contains;
    // reading it back is the cheapest proof that the edit says what was asked.
    String reread;
    try {
      reread = locate(result, steps).node().getValue();
    } catch (YamlEditException e) {
      throw new YamlEditException(
          Kind.UNSUPPORTED, "writing " + value + " at " + path + " would break the file", e);
    }
    if (!reread.equals(value)) {
      throw new YamlEditException(
          Kind.UNSUPPORTED, "writing " + value + " at " + path + " would read back as " + reread);
    }
    return new Edit(result, previous);
  }

  // ---- path ----

  private sealed interface Step permits Key, Index {}

  private record Key(String name) implements Step {
    @Override
    public String toString() {
      return "." + name;
    }
  }

  private record Index(int index) implements Step {
    @Override
    public String toString() {
      return "[" + index + "]";
    }
  }

  private static List<Step> parsePath(String path) {
    if (path == null || path.isBlank()) {
      throw new YamlEditException(Kind.PATH_NOT_FOUND, "empty path");
    }
    List<Step> steps = new ArrayList<>();
    String[] parts = path.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      Matcher m = SEGMENT.matcher(parts[i]);
      if (!m.matches() || (m.group(1).isEmpty() && (m.group(2).isEmpty() || i > 0))) {
        throw new YamlEditException(Kind.PATH_NOT_FOUND, "invalid path: " + path);
      }
      if (!m.group(1).isEmpty()) {
        steps.add(new Key(m.group(1)));
      }
      Matcher idx = INDEX.matcher(m.group(2));
      while (idx.find()) {
        try {
          steps.add(new Index(Integer.parseInt(idx.group(1))));
        } catch (NumberFormatException e) {
          throw new YamlEditException(Kind.PATH_NOT_FOUND, "invalid index in path: " + path);
        }
      }
    }
    return steps;
  }

  private static String describe(List<Step> steps, int upTo) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < upTo; i++) {
      sb.append(steps.get(i));
    }
    String s = sb.toString();
    return s.isEmpty() ? "the document root" : s.startsWith(".") ? s.substring(1) : s;
  }

  // ---- locating ----

  /** The scalar and the code point span to replace ([start, end); empty when inserting). */
  private record Located(ScalarNode node, int startCodePoint, int endCodePoint, boolean insert) {}

  private static Located locate(String content, List<Step> steps) {
    PositionedYaml parsed = PositionedYaml.parse(content);
    if (parsed.documents().isEmpty()) {
      throw new YamlEditException(Kind.PATH_NOT_FOUND, "the file holds no YAML document");
    }
    List<Located> found = new ArrayList<>();
    YamlEditException firstMiss = null;
    for (Node document : parsed.documents()) {
      try {
        found.add(resolve(content, parsed, document, steps));
      } catch (YamlEditException e) {
        if (e.kind() != Kind.PATH_NOT_FOUND) {
          throw e;
        }
        if (firstMiss == null) {
          firstMiss = e;
        }
      }
    }
    if (found.isEmpty()) {
      throw firstMiss;
    }
    if (found.size() > 1) {
      throw new YamlEditException(
          Kind.UNSUPPORTED,
          describe(steps, steps.size())
              + " exists in "
              + found.size()
              + " documents of the file; refusing to guess which one to pin");
    }
    return found.getFirst();
  }

  private static Located resolve(String content, PositionedYaml parsed, Node root, List<Step> steps) {
    Node current = root;
    for (int i = 0; i < steps.size(); i++) {
      refuseShared(parsed, current, steps, i);
      Step step = steps.get(i);
      switch (step) {
        case Key(String name) -> {
          if (!(current instanceof MappingNode mapping)) {
            throw new YamlEditException(
                Kind.PATH_NOT_FOUND, describe(steps, i) + " is not a mapping");
          }
          List<NodeTuple> matches = new ArrayList<>();
          boolean merges = false;
          for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
              if (key.getValue().equals(name)) {
                matches.add(tuple);
              } else if (key.getValue().equals("<<") && key.isPlain()) {
                merges = true;
              }
            }
          }
          if (matches.isEmpty()) {
            if (merges) {
              throw new YamlEditException(
                  Kind.UNSUPPORTED,
                  describe(steps, i + 1) + " is not set here but may be inherited through a merge key (<<)");
            }
            throw new YamlEditException(
                Kind.PATH_NOT_FOUND, "no key " + name + " in " + describe(steps, i));
          }
          if (matches.size() > 1) {
            throw new YamlEditException(
                Kind.UNSUPPORTED, "duplicate key " + describe(steps, i + 1));
          }
          NodeTuple tuple = matches.getFirst();
          Node value = tuple.getValueNode();
          // The composer hands back the anchored node itself for an alias; only an alias can
          // start before its own key ends, because anchors must be defined before use.
          if (index(value.getStartMark()) < index(tuple.getKeyNode().getEndMark())) {
            throw new YamlEditException(
                Kind.UNSUPPORTED, describe(steps, i + 1) + " is an alias (*" + anchorName(value) + ")");
          }
          current = value;
        }
        case Index(int index) -> {
          if (!(current instanceof SequenceNode sequence)) {
            throw new YamlEditException(
                Kind.PATH_NOT_FOUND, describe(steps, i) + " is not a sequence");
          }
          List<Node> items = sequence.getValue();
          if (index >= items.size()) {
            throw new YamlEditException(
                Kind.PATH_NOT_FOUND,
                describe(steps, i) + " has " + items.size() + " items, no index " + index);
          }
          Node item = items.get(index);
          int floor =
              index == 0 ? index(sequence.getStartMark()) : index(items.get(index - 1).getEndMark());
          if (index(item.getStartMark()) < floor) {
            throw new YamlEditException(
                Kind.UNSUPPORTED, describe(steps, i + 1) + " is an alias (*" + anchorName(item) + ")");
          }
          current = item;
        }
      }
    }
    refuseShared(parsed, current, steps, steps.size());
    String where = describe(steps, steps.size());
    if (!(current instanceof ScalarNode scalar)) {
      throw new YamlEditException(
          Kind.UNSUPPORTED, where + " is a " + current.getNodeType().name().toLowerCase() + ", not a scalar");
    }
    if (scalar.getScalarStyle() == ScalarStyle.LITERAL
        || scalar.getScalarStyle() == ScalarStyle.FOLDED) {
      throw new YamlEditException(Kind.UNSUPPORTED, where + " is a block scalar (| or >)");
    }
    int end = index(scalar.getEndMark());
    ScalarToken token = parsed.scalarTokensByEnd().get(end);
    if (token != null && index(token.getStartMark()) < end && token.getValue().equals(scalar.getValue())) {
      // The node's start includes an anchor or tag; the token covers the scalar text alone.
      return new Located(scalar, index(token.getStartMark()), end, false);
    }
    if (scalar.isPlain() && scalar.getValue().isEmpty() && index(scalar.getStartMark()) == end) {
      int at = content.offsetByCodePoints(0, end);
      if (at > 0 && content.charAt(at - 1) == ':') {
        return new Located(scalar, end, end, true);
      }
    }
    throw new YamlEditException(Kind.UNSUPPORTED, where + " has no value text Gantry can replace");
  }

  private static void refuseShared(PositionedYaml parsed, Node node, List<Step> steps, int depth) {
    if (node.getAnchor().isPresent()
        && parsed.aliasesByAnchorStart().getOrDefault(index(node.getStartMark()), 0) > 0) {
      throw new YamlEditException(
          Kind.UNSUPPORTED,
          describe(steps, depth)
              + " is anchored (&"
              + node.getAnchor().get().getValue()
              + ") and reused by an alias; changing it would change those places too");
    }
  }

  private static String anchorName(Node node) {
    return node.getAnchor().map(a -> a.getValue()).orElse("?");
  }

  private static int index(Optional<Mark> mark) {
    return mark.orElseThrow(() -> new IllegalStateException("YAML marks are off")).getIndex();
  }
}
