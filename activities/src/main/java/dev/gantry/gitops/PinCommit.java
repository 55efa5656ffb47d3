package dev.gantry.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The commit a pin makes, however it is delivered: its message with the caller's trailers, the
 * commit itself (blob, tree and commit built on a fetched tip, no working tree), and the commit an
 * earlier attempt of the same pin already made, found by its trailers.
 */
final class PinCommit {

  /** How far back a retried pin looks for the commit it may already have made. */
  static final int HISTORY_DEPTH = 500;

  private PinCommit() {}

  /** The pin's commit message: the caller's subject (or Gantry's), then its trailers in the caller's order. */
  static String message(PinRequest request, String file, Map<String, String> trailers) {
    String subject =
        request.message() == null || request.message().isBlank()
            ? "Pin " + file + " " + request.target().path() + " to " + request.digest()
            : request.message().stripTrailing();
    if (trailers.isEmpty()) {
      return subject + "\n";
    }
    StringBuilder sb = new StringBuilder(subject).append("\n\n");
    // Keep the caller's order even if it passed a map that has one.
    for (Map.Entry<String, String> t : new LinkedHashMap<>(trailers).entrySet()) {
      sb.append(t.getKey()).append(": ").append(t.getValue().strip()).append('\n');
    }
    return sb.toString();
  }

  /**
   * A commit on {@code head} that changes the blob of {@code file} only (its mode stays), by the
   * configured author; written to the clone's object store, no ref moved.
   */
  static ObjectId commit(
      Repository repo, RevCommit head, String file, byte[] content, String message, GitOpsSettings settings)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = repo.newObjectReader()) {
      ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, head.getTree());
      builder.finish();
      DirCacheEditor editor = index.editor();
      editor.add(
          new DirCacheEditor.PathEdit(file) {
            @Override
            public void apply(DirCacheEntry entry) {
              // The existing entry keeps its mode (an executable bit stays).
              entry.setObjectId(blob);
            }
          });
      editor.finish();
      ObjectId tree = index.writeTree(inserter);

      PersonIdent ident = new PersonIdent(settings.authorName(), settings.authorEmail());
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(tree);
      commit.setParentId(head);
      commit.setAuthor(ident);
      commit.setCommitter(ident);
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    }
  }

  /**
   * A retried activity may have pushed before its previous attempt died: the commit carrying
   * the same trailers and touching the same file is that pin.
   */
  static Optional<GitChange> findPinned(
      Repository repo, RevCommit head, String file, String path, Map<String, String> trailers)
      throws IOException {
    if (trailers.isEmpty()) {
      return Optional.empty();
    }
    try (RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(head));
      int seen = 0;
      for (RevCommit commit : walk) {
        if (++seen > HISTORY_DEPTH) {
          break;
        }
        if (!hasTrailers(commit, trailers) || commit.getParentCount() != 1) {
          continue;
        }
        RevCommit parent = walk.parseCommit(commit.getParent(0));
        Optional<byte[]> before = GitOpsFiles.readBlob(repo, parent, file);
        Optional<byte[]> after = GitOpsFiles.readBlob(repo, commit, file);
        if (after.isEmpty() || (before.isPresent() && Arrays.equals(before.get(), after.get()))) {
          continue;
        }
        String previous = null;
        if (before.isPresent()) {
          try {
            previous = YamlDigestEditor.read(new String(before.get(), StandardCharsets.UTF_8), path);
          } catch (YamlEditException e) {
            // The earlier file had no readable digest; the pin stands regardless.
          }
        }
        return Optional.of(new GitChange(commit.name(), previous, false));
      }
    }
    return Optional.empty();
  }

  private static boolean hasTrailers(RevCommit commit, Map<String, String> trailers) {
    List<FooterLine> footers = commit.getFooterLines();
    for (Map.Entry<String, String> wanted : trailers.entrySet()) {
      boolean found = false;
      for (FooterLine footer : footers) {
        if (footer.getKey().equals(wanted.getKey()) && footer.getValue().strip().equals(wanted.getValue().strip())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
