package dev.gantry.gitops;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A file of a GitOps repository at a commit, as reading and pinning see it: its bytes straight
 * from the commit's tree (no working tree, no checkout filters), its text (UTF-8 only, since
 * re-encoding would change every byte of it), and the digest edit with its refusals as failure
 * types.
 */
final class GitOpsFiles {

  private GitOpsFiles() {}

  /** The file's text at the commit; a missing file or one that is not UTF-8 is a non-retryable failure. */
  static String readContent(Repository repo, RevCommit commit, GitOpsTarget target, String file)
      throws IOException {
    Optional<byte[]> bytes = readBlob(repo, commit, file);
    if (bytes.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          file + " does not exist on branch " + target.branch() + " of " + target.repository(),
          FailureTypes.GITOPS_FILE_NOT_FOUND);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.get()))
          .toString();
    } catch (CharacterCodingException e) {
      // Re-encoding would silently change the bytes of the whole file.
      throw ApplicationFailure.newNonRetryableFailure(
          file + " is not UTF-8; Gantry edits UTF-8 YAML only", FailureTypes.GITOPS_UNSUPPORTED);
    }
  }

  /** The bytes of a regular or executable file at the commit; empty when there is none. */
  static Optional<byte[]> readBlob(Repository repo, RevCommit commit, String file)
      throws IOException {
    try (TreeWalk walk = TreeWalk.forPath(repo, file, commit.getTree())) {
      if (walk == null || !isFile(walk.getFileMode(0))) {
        return Optional.empty();
      }
      return Optional.of(repo.open(walk.getObjectId(0), Constants.OBJ_BLOB).getBytes());
    }
  }

  private static boolean isFile(FileMode mode) {
    return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
  }

  static YamlDigestEditor.Edit editYaml(String content, GitOpsTarget target, String file, String digest) {
    try {
      return YamlDigestEditor.edit(content, target.path(), digest);
    } catch (YamlEditException e) {
      throw yamlFailure(e, target, file);
    }
  }

  /** A refused YAML read or edit as the non-retryable failure type the workflow sees. */
  static ApplicationFailure yamlFailure(YamlEditException e, GitOpsTarget target, String file) {
    String type =
        switch (e.kind()) {
          case PATH_NOT_FOUND -> FailureTypes.GITOPS_PATH_NOT_FOUND;
          case UNSUPPORTED -> FailureTypes.GITOPS_UNSUPPORTED;
        };
    return ApplicationFailure.newNonRetryableFailure(
        file + " on branch " + target.branch() + " of " + target.repository() + ": " + e.getMessage(),
        type);
  }
}
