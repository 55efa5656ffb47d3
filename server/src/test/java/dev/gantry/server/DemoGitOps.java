package dev.gantry.server;

import dev.gantry.gitops.YamlDigestEditor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Reads the demo's GitOps repository ({@code <data-dir>/gitops.git}) the way a reviewer would. */
final class DemoGitOps {
  private DemoGitOps() {}

  private static Repository open(Path dataDir) throws Exception {
    return new FileRepositoryBuilder().setGitDir(dataDir.resolve("gitops.git").toFile()).setMustExist(true).build();
  }

  /** The digest a values file pins on main. */
  static String pinned(Path dataDir, String file) throws Exception {
    try (Repository repo = open(dataDir);
        RevWalk walk = new RevWalk(repo);
        TreeWalk tree = TreeWalk.forPath(repo, file, walk.parseCommit(repo.resolve("refs/heads/main")).getTree())) {
      return YamlDigestEditor.read(new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8), "image.digest");
    }
  }

  /** How many commits on main carry the trailer with a value starting so. */
  static long commitsWithTrailer(Path dataDir, String key, String valuePrefix) throws Exception {
    long n = 0;
    try (Repository repo = open(dataDir); RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(repo.resolve("refs/heads/main")));
      for (RevCommit c : walk) {
        n += c.getFooterLines(key).stream().filter(v -> v.startsWith(valuePrefix)).count();
      }
    }
    return n;
  }

  /** The commit main points at now. */
  static String head(Path dataDir) throws Exception {
    try (Repository repo = open(dataDir)) {
      return repo.resolve("refs/heads/main").name();
    }
  }
}
