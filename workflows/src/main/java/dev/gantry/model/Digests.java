package dev.gantry.model;

import java.util.regex.Pattern;

/** Syntax of the identifiers Gantry accepts: image digests, git commits, tags, names. */
public final class Digests {
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  // OCI distribution spec tag grammar
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private Digests() {}

  public static boolean isDigest(String s) {
    return s != null && DIGEST.matcher(s).matches();
  }

  public static boolean isCommit(String s) {
    return s != null && COMMIT.matcher(s).matches();
  }

  public static boolean isTag(String s) {
    return s != null && TAG.matcher(s).matches();
  }

  /** Service and environment names: DNS labels, so they are safe in ids, paths and URLs. */
  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  /** The tag CI pushes for a commit when the caller names none. */
  public static String defaultTag(String commit) {
    return "sha-" + commit;
  }
}
