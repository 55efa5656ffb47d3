package dev.gantry.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfileDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the provenance gate reads from a SLSA provenance predicate, v1 or v0.2: the builder, what
 * the predicate says the source repository is, the git sources with their commits, and the
 * dependencies (for lockfile digests). Every field is read defensively: a hostile predicate with
 * wrong types yields nulls and empty lists, never an exception.
 *
 * @param builderField where the builder id was read from, for the reasons
 * @param declaredRepositories fields that name the source repository; each must be the service's
 * @param gitSources git dependencies with a commit; one of them must be the release's repository
 *     and commit
 * @param dependencies v1 {@code resolvedDependencies} or v0.2 {@code materials}
 */
record SlsaPredicate(
    String version,
    String buildType,
    String builderId,
    String builderField,
    List<Field> declaredRepositories,
    List<GitSource> gitSources,
    List<JsonNode> dependencies) {

  static final String V1 = "https://slsa.dev/provenance/v1";
  static final String V02 = "https://slsa.dev/provenance/v0.2";
  /** actions/attest-build-provenance (@actions/attest). */
  static final String GITHUB_WORKFLOW_BUILD_TYPE = "https://actions.github.io/buildtypes/workflow/v1";

  /** Lockfile names; pom.xml is deliberately absent (it pins nothing transitive). */
  static final Set<String> LOCKFILE_NAMES =
      Set.of(
          "package-lock.json",
          "yarn.lock",
          "pnpm-lock.yaml",
          "go.sum",
          "Cargo.lock",
          "poetry.lock",
          "Pipfile.lock",
          "requirements.txt",
          "Gemfile.lock",
          "composer.lock",
          "gradle.lockfile");

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  /** A field that names the source repository. */
  record Field(String path, String value) {}

  /** A git source with the commit it was built from. */
  record GitSource(String path, String uri, String commit) {}

  static boolean isProvenance(String predicateType) {
    return V1.equals(predicateType) || V02.equals(predicateType);
  }

  static SlsaPredicate read(String predicateType, JsonNode predicate) {
    return V1.equals(predicateType) ? v1(predicate) : v02(predicate);
  }

  private static SlsaPredicate v1(JsonNode p) {
    JsonNode definition = p.path("buildDefinition");
    String buildType = Json.text(definition, "buildType");
    JsonNode external = definition.path("externalParameters");
    List<Field> declared = new ArrayList<>();
    if (GITHUB_WORKFLOW_BUILD_TYPE.equals(buildType)) {
      // Always listed for this build type: its absence is a failure, not a skipped check.
      declared.add(
          new Field(
              "externalParameters.workflow.repository", Json.text(external.path("workflow"), "repository")));
    }
    for (String name : List.of("source", "repository")) {
      String value = Json.text(external, name);
      if (value != null) {
        declared.add(new Field("externalParameters." + name, value));
      }
    }
    List<JsonNode> dependencies = elements(definition.path("resolvedDependencies"));
    List<GitSource> git = new ArrayList<>();
    for (int i = 0; i < dependencies.size(); i++) {
      GitSource source = gitSource("resolvedDependencies[" + i + "]", dependencies.get(i), true);
      if (source != null) {
        git.add(source);
      }
    }
    return new SlsaPredicate(
        "v1",
        buildType,
        Json.text(p.path("runDetails").path("builder"), "id"),
        "predicate.runDetails.builder.id",
        List.copyOf(declared),
        List.copyOf(git),
        dependencies);
  }

  private static SlsaPredicate v02(JsonNode p) {
    JsonNode config = p.path("invocation").path("configSource");
    List<Field> declared = new ArrayList<>();
    List<GitSource> git = new ArrayList<>();
    String configUri = Json.text(config, "uri");
    if (configUri != null) {
      declared.add(new Field("invocation.configSource.uri", configUri));
      GitSource source = gitSource("invocation.configSource", config, false);
      if (source != null) {
        git.add(source);
      }
    }
    List<JsonNode> materials = elements(p.path("materials"));
    for (int i = 0; i < materials.size(); i++) {
      GitSource source = gitSource("materials[" + i + "]", materials.get(i), true);
      if (source != null) {
        git.add(source);
      }
    }
    return new SlsaPredicate(
        "v0.2",
        Json.text(p, "buildType"),
        Json.text(p.path("builder"), "id"),
        "predicate.builder.id",
        List.copyOf(declared),
        List.copyOf(git),
        materials);
  }

  /** A dependency naming a git repository with a commit ({@code gitCommit}, or {@code sha1} as v0.2 writes it). */
  private static GitSource gitSource(String path, JsonNode node, boolean requireGitPlus) {
    String uri = Json.text(node, "uri");
    if (uri == null || (requireGitPlus && !uri.startsWith("git+"))) {
      return null;
    }
    JsonNode digest = node.path("digest");
    String commit = Json.text(digest, "gitCommit");
    if (commit == null) {
      commit = Json.text(digest, "sha1");
    }
    return commit == null ? null : new GitSource(path, uri, commit);
  }

  private static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(e -> {
        if (e.isObject()) {
          out.add(e);
        }
      });
    }
    return List.copyOf(out);
  }

  /** Dependencies that are lockfiles (by name or URI path) with a sha256 digest. */
  List<LockfileDigest> lockfiles(String documentSha256) {
    Set<LockfileDigest> out = new LinkedHashSet<>();
    for (JsonNode dependency : dependencies) {
      String sha256 = Json.text(dependency.path("digest"), "sha256");
      if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
        continue;
      }
      String path = lockfilePath(Json.text(dependency, "name"));
      if (path == null) {
        path = lockfilePath(uriPath(Json.text(dependency, "uri")));
      }
      if (path != null) {
        out.add(new LockfileDigest(path, sha256.toLowerCase(Locale.ROOT), documentSha256));
      }
    }
    return List.copyOf(out);
  }

  private static String lockfilePath(String path) {
    if (path == null || path.isBlank()) {
      return null;
    }
    String base = path.substring(path.lastIndexOf('/') + 1);
    return LOCKFILE_NAMES.contains(base) ? path : null;
  }

  /** The file a URI points at: its fragment when it has one (git+…#path), else its path. */
  private static String uriPath(String uri) {
    if (uri == null) {
      return null;
    }
    String s = uri.startsWith("git+") ? uri.substring(4) : uri;
    int hash = s.indexOf('#');
    if (hash >= 0) {
      return s.substring(hash + 1);
    }
    int query = s.indexOf('?');
    if (query >= 0) {
      s = s.substring(0, query);
    }
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      int path = s.indexOf('/', scheme + 3);
      s = path < 0 ? "" : s.substring(path + 1);
    }
    int at = s.indexOf('@');
    return at >= 0 ? s.substring(0, at) : s;
  }

  /**
   * A repository URI in comparable form: no {@code git+} prefix, no {@code @ref} suffix, no query or
   * fragment, no {@code .git} suffix, no trailing slash, lowercase scheme and host. An {@code @}
   * inside the authority (user info) is not a ref.
   */
  static String normaliseRepository(String uri) {
    if (uri == null) {
      return null;
    }
    String s = uri.strip();
    if (s.startsWith("git+")) {
      s = s.substring(4);
    }
    int scheme = s.indexOf("://");
    int pathStart = scheme < 0 ? 0 : s.indexOf('/', scheme + 3);
    if (pathStart < 0) {
      pathStart = s.length();
    }
    for (char cut : new char[] {'@', '#', '?'}) {
      int i = s.indexOf(cut, pathStart);
      if (i >= 0) {
        s = s.substring(0, i);
      }
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith(".git")) {
      s = s.substring(0, s.length() - 4);
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (scheme >= 0) {
      int authorityEnd = Math.min(pathStart, s.length());
      s = s.substring(0, authorityEnd).toLowerCase(Locale.ROOT) + s.substring(authorityEnd);
    }
    return s;
  }
}
