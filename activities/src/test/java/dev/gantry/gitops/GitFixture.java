package dev.gantry.gitops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Real bare repositories for the tests. Content is written as objects, never through a working
 * tree, so the bytes in the repository are exactly the bytes given (CRLF, BOM and all).
 */
final class GitFixture {
  private GitFixture() {}

  static final PersonIdent OTHER = new PersonIdent("Someone Else", "someone@example.com");

  static Path createBare(Path dir, String branch, Map<String, String> files) throws IOException {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build()) {
      repo.create(true);
      RefUpdate head = repo.updateRef(Constants.HEAD);
      head.link(Constants.R_HEADS + branch);
      Map<String, byte[]> bytes = new TreeMap<>();
      files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      commit(repo, branch, null, bytes, "Initial layout\n");
    }
    return dir;
  }

  /** Another writer: replaces (or adds) files on the branch and moves the branch. */
  static ObjectId commitAsOther(Path bare, String branch, Map<String, String> files, String message)
      throws IOException {
    try (Repository repo = open(bare)) {
      ObjectId tip = repo.resolve(Constants.R_HEADS + branch);
      Map<String, byte[]> bytes = new TreeMap<>();
      files.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      return commit(repo, branch, tip, bytes, message);
    }
  }

  private static ObjectId commit(
      Repository repo, String branch, ObjectId parent, Map<String, byte[]> files, String message)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(repo)) {
      DirCache index = DirCache.newInCore();
      if (parent != null) {
        DirCacheBuilder builder = index.builder();
        builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, walk.parseCommit(parent).getTree());
        builder.finish();
      }
      DirCacheEditor editor = index.editor();
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        ObjectId blob = inserter.insert(Constants.OBJ_BLOB, file.getValue());
        editor.add(
            new DirCacheEditor.PathEdit(file.getKey()) {
              @Override
              public void apply(DirCacheEntry entry) {
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(blob);
              }
            });
      }
      editor.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(inserter));
      if (parent != null) {
        commit.setParentId(parent);
      }
      commit.setAuthor(OTHER);
      commit.setCommitter(OTHER);
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
      update.setNewObjectId(id);
      update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
        throw new IOException("could not move " + branch + ": " + result);
      }
      return id;
    }
  }

  static Repository open(Path bare) throws IOException {
    return new FileRepositoryBuilder().setGitDir(bare.toFile()).setBare().build();
  }

  static ObjectId tip(Path bare, String branch) throws IOException {
    try (Repository repo = open(bare)) {
      return repo.resolve(Constants.R_HEADS + branch);
    }
  }

  static Optional<byte[]> fileAt(Path bare, String commitish, String file) throws IOException {
    try (Repository repo = open(bare);
        RevWalk walk = new RevWalk(repo)) {
      RevCommit commit = walk.parseCommit(repo.resolve(commitish));
      try (TreeWalk tw = TreeWalk.forPath(repo, file, commit.getTree())) {
        return tw == null ? Optional.empty() : Optional.of(repo.open(tw.getObjectId(0)).getBytes());
      }
    }
  }

  static String text(Path bare, String commitish, String file) throws IOException {
    return new String(fileAt(bare, commitish, file).orElseThrow(), StandardCharsets.UTF_8);
  }

  /** Newest first. */
  static List<RevCommit> log(Path bare, String branch) throws IOException {
    try (Repository repo = open(bare);
        RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(repo.resolve(Constants.R_HEADS + branch)));
      List<RevCommit> commits = new ArrayList<>();
      for (RevCommit c : walk) {
        walk.parseBody(c);
        commits.add(c);
      }
      return commits;
    }
  }

  /** Paths whose blob differs between a commit and its first parent. */
  static List<String> changedPaths(Path bare, String commit) throws IOException {
    try (Repository repo = open(bare);
        RevWalk walk = new RevWalk(repo);
        TreeWalk tw = new TreeWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
      RevCommit parent = walk.parseCommit(c.getParent(0));
      tw.addTree(parent.getTree());
      tw.addTree(c.getTree());
      tw.setRecursive(true);
      List<String> changed = new ArrayList<>();
      while (tw.next()) {
        if (!tw.getObjectId(0).equals(tw.getObjectId(1)) || !tw.getFileMode(0).equals(tw.getFileMode(1))) {
          changed.add(tw.getPathString());
        }
      }
      return changed;
    }
  }
}
