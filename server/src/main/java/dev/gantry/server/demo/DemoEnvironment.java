package dev.gantry.server.demo;

import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The demo's outside world, made once under the data dir: an OCI image layout with three small
 * real images of the demo service, and a bare GitOps repository initialised from
 * {@code gitops-templates/}. Starting again with the same data dir reuses both.
 */
public class DemoEnvironment {
  private static final Logger log = LoggerFactory.getLogger(DemoEnvironment.class);
  public static final String SERVICE = "storefront";
  /** Builds 1–3 pass every gate; build 4 carries a HIGH vulnerability its scan reports. */
  public static final int RELEASES = 4;

  /** One of the demo's CI builds: a commit and the image built from it. */
  public record Build(int number, String commit, String tag, String digest) {}

  private final Path layout;
  private final Path gitops;
  private final List<Build> builds = new ArrayList<>();

  public DemoEnvironment(Path dataDir) throws IOException, GitAPIException {
    this.layout = dataDir.resolve("oci").resolve(SERVICE);
    this.gitops = dataDir.resolve("gitops.git");
    for (int n = 1; n <= RELEASES; n++) {
      String commit = commitOf(n);
      String tag = "sha-" + commit;
      // deterministic images: writing one again yields the same digest and changes nothing
      String digest =
          new OciImageWriter()
              .file("srv/storefront/RELEASE", SERVICE + " build " + n + " (commit " + commit + ")\n")
              .label("org.opencontainers.image.revision", commit)
              .label("org.opencontainers.image.title", SERVICE)
              .writeLayout(layout, tag);
      Build build = new Build(n, commit, tag, digest);
      builds.add(build);
      DemoEvidence.attach(image(), build, RegistrySettings.allowing("oci:" + dataDir.resolve("oci")));
    }
    if (!Files.exists(gitops.resolve("HEAD"))) {
      initGitOps();
    }
  }

  public String image() {
    return "oci:" + layout;
  }

  public Path gitopsRepository() {
    return gitops;
  }

  public List<Build> builds() {
    return List.copyOf(builds);
  }

  private void initGitOps() throws IOException, GitAPIException {
    Path work = Files.createTempDirectory("gantry-gitops-init");
    try (Git bare = Git.init().setBare(true).setInitialBranch("main").setDirectory(gitops.toFile()).call();
        Git git = Git.init().setInitialBranch("main").setDirectory(work.toFile()).call()) {
      Resource[] templates = new PathMatchingResourcePatternResolver().getResources("classpath*:gitops-templates/**/*.*");
      for (Resource r : templates) {
        String url = r.getURL().toString();
        String relative = url.substring(url.lastIndexOf("gitops-templates/") + "gitops-templates/".length());
        Path target = work.resolve(relative);
        Files.createDirectories(target.getParent());
        try (InputStream in = r.getInputStream()) {
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
              // the longer placeholder first: REPOSITORY is part of it
              .replace("GITOPS_REPOSITORY", "file://" + gitops)
              .replace("REPOSITORY", image());
          Files.writeString(target, text);
        }
      }
      git.add().addFilepattern(".").call();
      git.commit().setMessage("Initialise GitOps repository from gitops-templates").setAuthor("Gantry demo", "demo@gantry.invalid")
          .setCommitter("Gantry demo", "demo@gantry.invalid").call();
      git.push().setRemote(gitops.toUri().toString()).add("main").call();
      log.info("demo: created GitOps repository {} from {} template files", gitops, templates.length);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The demo's n-th CI build commit: fixed, so a restart finds the same releases. */
  public static String commitOf(int n) {
    return sha1("gantry demo " + SERVICE + " build " + n);
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
