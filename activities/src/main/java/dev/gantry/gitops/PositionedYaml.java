package dev.gantry.gitops;

import dev.gantry.gitops.YamlEditException.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.Scanner;
import org.snakeyaml.engine.v2.scanner.ScannerImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.tokens.ScalarToken;
import org.snakeyaml.engine.v2.tokens.Token;

/**
 * A YAML text composed with snakeyaml-engine, plus the positions the node tree does not keep:
 * the scalar tokens (whose marks exclude anchors and tags, unlike the nodes' marks) and how many
 * aliases refer to each anchor definition (the composed tree no longer tells an alias from the node
 * it points to). {@link YamlDigestEditor} needs both to replace a scalar's bytes in place.
 *
 * @param documents the composed documents, in order
 * @param scalarTokensByEnd each scalar token by the index where it ends
 * @param aliasesByAnchorStart per anchor definition (keyed by its start index), the aliases to it
 */
record PositionedYaml(
    List<Node> documents,
    Map<Integer, ScalarToken> scalarTokensByEnd,
    Map<Integer, Integer> aliasesByAnchorStart) {

  /** Parses every document of {@code content}; text that is not YAML is {@link Kind#UNSUPPORTED}. */
  static PositionedYaml parse(String content) {
    LoadSettings settings = LoadSettings.builder().setLabel("gitops").setUseMarks(true).build();
    Map<Integer, ScalarToken> tokens = new HashMap<>();
    Map<Integer, Integer> aliases = new HashMap<>();
    try {
      Scanner scanner =
          new RecordingScanner(new ScannerImpl(settings, new StreamReader(settings, content)), tokens);
      Parser parser = new RecordingParser(new ParserImpl(settings, scanner), aliases);
      Composer composer = new Composer(settings, parser);
      List<Node> documents = new ArrayList<>();
      while (composer.hasNext()) {
        documents.add(composer.next());
      }
      return new PositionedYaml(documents, tokens, aliases);
    } catch (YamlEngineException e) {
      throw new YamlEditException(Kind.UNSUPPORTED, "not valid YAML: " + e.getMessage(), e);
    }
  }

  /** Keeps scalar tokens: their marks exclude anchors and tags, unlike the nodes' marks. */
  private record RecordingScanner(Scanner delegate, Map<Integer, ScalarToken> byEnd)
      implements Scanner {
    @Override
    public boolean checkToken(Token.ID... choices) {
      return delegate.checkToken(choices);
    }

    @Override
    public Token peekToken() {
      return delegate.peekToken();
    }

    @Override
    public Token next() {
      Token token = delegate.next();
      if (token instanceof ScalarToken scalar && scalar.getEndMark().isPresent()) {
        byEnd.put(scalar.getEndMark().get().getIndex(), scalar);
      }
      return token;
    }

    @Override
    public boolean hasNext() {
      return delegate.hasNext();
    }

    @Override
    public void resetDocumentIndex() {
      delegate.resetDocumentIndex();
    }
  }

  /**
   * Counts, per anchor definition (keyed by its start index), the aliases that refer to it: the
   * composed tree no longer tells an alias from the node it points to.
   */
  private static final class RecordingParser implements Parser {
    private final Parser delegate;
    private final Map<Integer, Integer> aliasesByAnchorStart;
    private final Map<String, Integer> currentDefinition = new HashMap<>();

    RecordingParser(Parser delegate, Map<Integer, Integer> aliasesByAnchorStart) {
      this.delegate = delegate;
      this.aliasesByAnchorStart = aliasesByAnchorStart;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return delegate.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return delegate.peekEvent();
    }

    @Override
    public boolean hasNext() {
      return delegate.hasNext();
    }

    @Override
    public Event next() {
      Event event = delegate.next();
      if (event instanceof AliasEvent alias) {
        Integer definition = currentDefinition.get(alias.getAlias().getValue());
        if (definition != null) {
          aliasesByAnchorStart.merge(definition, 1, Integer::sum);
        }
      } else if (event instanceof NodeEvent node
          && node.getAnchor().isPresent()
          && event.getStartMark().isPresent()) {
        // A redefined anchor name starts a new definition; later aliases mean the new one.
        currentDefinition.put(node.getAnchor().get().getValue(), event.getStartMark().get().getIndex());
      }
      return event;
    }
  }
}
