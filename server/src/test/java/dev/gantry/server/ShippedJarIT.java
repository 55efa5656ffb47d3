package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.server.cli.SigstoreConformanceTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What ships, tested as it ships: the packaged {@code gantry.jar}, read as a file and run as its
 * own process, never the build's classpath. A dependency declared with test scope once demoted a
 * runtime one (bcpkix, which sigstore-java needs) out of the jar: every test passed while the
 * shipped {@code gantry verify bundle} and the keyless gates failed with NoClassDefFoundError.
 * {@link #theJarCarriesEveryClassItsCodeReaches} fails on that: the classes Gantry's code reaches
 * through its libraries name org.bouncycastle.tsp and org.bouncycastle.cms, and the jar has neither.
 */
class ShippedJarIT {
  static final Path JAR = Path.of(System.getProperty("gantry.jar", "target/gantry.jar"));

  /**
   * Packages the jar's libraries refer to without carrying, on purpose: optional integrations each
   * library loads only when the class is present (Spring's ClassUtils.isPresent, Netty's and Log4j's
   * probes, the AWS SDK's optional CRT) and annotations that never load at run time. Each entry is
   * (missing package prefix, referring package prefix, why). A hole outside this list, or any hole
   * referred to from Gantry's own code, fails the build.
   */
  static final List<String[]> OPTIONAL =
      List.of(
          new String[] {"kotlin", "org/springframework/", "Kotlin support, used only when Kotlin is present"},
          new String[] {"groovy", "org/springframework/", "Groovy bean definitions"},
          new String[] {"org/codehaus/groovy", "org/springframework/", "Groovy bean definitions"},
          new String[] {"reactor/", "org/springframework/", "Reactor adapters"},
          new String[] {"io/reactivex/", "org/springframework/", "RxJava adapters"},
          new String[] {"io/smallrye/mutiny", "org/springframework/", "Mutiny adapters"},
          new String[] {"io/micrometer/context", "org/springframework/", "context propagation, when present"},
          // reached through Catalina since Gantry's ProblemReportValve (an ErrorReportValve) is part of the jar
          new String[] {"jakarta/ejb", "org/apache/catalina/", "EJB references Tomcat resolves only for deployed web applications"},
          new String[] {"jakarta/persistence", "org/apache/catalina/", "JPA references Tomcat resolves only for deployed web applications"},
          new String[] {"jakarta/xml/ws", "org/apache/catalina/", "JAX-WS references Tomcat resolves only for deployed web applications"},
          new String[] {"org/apache/tomcat/jakartaee", "org/apache/catalina/", "Tomcat's Java EE to Jakarta EE migration tool, for legacy WARs"},
          new String[] {"jakarta/faces", "org/springframework/", "JSF"},
          new String[] {"jakarta/inject", "org/springframework/", "JSR-330, when present"},
          new String[] {"jakarta/json/bind", "org/springframework/", "JSON-B converter"},
          new String[] {"javax/money", "org/springframework/", "JSR-354 formatting"},
          new String[] {"org/aspectj", "org/springframework/", "AspectJ type filters"},
          new String[] {"org/crac", "org/springframework/", "CRaC checkpoints"},
          new String[] {"com/rometools", "org/springframework/", "RSS/Atom converters"},
          new String[] {"com/fasterxml/jackson/dataformat", "org/springframework/", "Jackson 2 CBOR/Smile/XML converters"},
          new String[] {"tools/jackson/dataformat", "org/springframework/", "Jackson 3 CBOR/Smile/XML/YAML converters"},
          new String[] {"org/springframework/security/oauth2", "org/springframework/security/config/", "OAuth2 configurers, used only when configured"},
          new String[] {"org/springframework/security/saml2", "org/springframework/security/config/", "SAML2 configurers"},
          new String[] {"org/springframework/security/ldap", "org/springframework/security/config/", "LDAP configurers"},
          new String[] {"org/springframework/ldap", "org/springframework/security/config/", "LDAP configurers"},
          new String[] {"org/springframework/security/web/webauthn", "org/springframework/security/config/", "WebAuthn configurer"},
          new String[] {"org/springframework/security/access", "org/springframework/security/config/", "channel security (deprecated configurer)"},
          new String[] {"org/springframework/security/web/access/channel", "org/springframework/security/config/", "channel security"},
          new String[] {"org/springframework/security/web/access/intercept", "org/springframework/security/config/", "channel security"},
          // nimbus-jose-jwt is in the jar since CI's OIDC tokens are verified (dev.gantry.api.identity)
          new String[] {"com/google/crypto/tink", "com/nimbusds/", "Nimbus's Ed25519, X25519 and XChaCha20 (an optional Tink dependency); Gantry accepts RS256 and ES256 only"},
          new String[] {"org/opensaml", "org/springframework/security/config/", "SAML2 configurer"},
          new String[] {"com/codahale/metrics", "com/zaxxer/hikari/", "Dropwizard health checks, when present"},
          new String[] {"org/apache/log4j", "io/grpc/netty/shaded/", "Netty's logger probe"},
          new String[] {"org/conscrypt", "io/grpc/netty/shaded/", "Netty's optional TLS provider"},
          new String[] {"org/jetbrains/annotations", "io/grpc/netty/shaded/", "annotations (class retention)"},
          new String[] {"org/osgi", "org/apache/logging/log4j/", "Log4j's OSGi service locator"},
          new String[] {"org/immutables", "dev/sigstore/", "Immutables annotations (class retention)"},
          new String[] {"software/amazon/awssdk/crt", "software/amazon/awssdk/", "the AWS CRT, optional; Gantry uses the Java HTTP clients"});

  static JarClosure.Result closure;

  static void jarIsBuilt() {
    if (!Files.isRegularFile(JAR)) {
      fail("the packaged jar " + JAR.toAbsolutePath() + " is missing: run `./mvnw -pl server -am package` (failsafe runs after package)");
    }
  }

  @Test
  void theJarCarriesEveryClassItsCodeReaches() throws IOException {
    var jar = new JarClosure(JAR);
    var result = jar.walk(c -> c.startsWith("dev/gantry/"));
    assertThat(result.reached()).as("classes reached from Gantry's code").isGreaterThan(5_000);

    List<String> unexplained = new ArrayList<>();
    result.firstReferrer().forEach((missing, by) -> {
      boolean optional = !by.startsWith("dev/gantry/")
          && OPTIONAL.stream().anyMatch(o -> missing.startsWith(o[0]) && by.startsWith(o[1]));
      if (!optional) {
        unexplained.add(missing.replace('/', '.') + " (referred to by " + by.replace('/', '.') + ")");
      }
    });
    assertThat(unexplained)
        .as("classes the shipped jar's code reaches but the jar does not carry; a library of the build's classpath"
            + " left out of the jar, often by a test-scoped declaration shadowing a runtime dependency"
            + " (check `./mvnw dependency:tree -Dverbose` for 'scope not updated')")
        .isEmpty();
  }

  @Test
  void theOptionalListHasNoDeadEntries() throws IOException {
    // an entry nothing needs any more hides the next real hole in its package: keep the list tight
    var result = new JarClosure(JAR).walk(c -> c.startsWith("dev/gantry/"));
    List<String> dead = OPTIONAL.stream()
        .filter(o -> result.firstReferrer().entrySet().stream().noneMatch(e -> e.getKey().startsWith(o[0]) && e.getValue().startsWith(o[1])))
        .map(o -> o[0] + " <- " + o[1])
        .toList();
    assertThat(dead).as("OPTIONAL entries that match no hole").isEmpty();
  }

  @Test
  void theCommandLineStartsFromTheJar() throws Exception {
    var help = run(List.of("verify", "bundle", "--help"));
    assertThat(help.code()).as(help.err()).isZero();
    assertThat(help.out()).contains("Exit codes:", "0   verified", "2   invalid command line, or an input file cannot be read");
    var usage = run(List.of("verify", "bundle", "--artifact", "a.txt"));
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required option: '--bundle=FILE'");
  }

  // ------------------------------------------------------------------ conformance through the jar

  record Run(int code, String out, String err) {}

  static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

  static Stream<String> cases() throws IOException {
    return SigstoreConformanceTest.cases();
  }

  /** Every case, run by the jar as its own process, two at a time. */
  @BeforeAll
  static void runEveryCaseThroughTheJar() throws Exception {
    jarIsBuilt();
    var pool = Executors.newFixedThreadPool(2);
    try {
      for (String name : cases().toList()) {
        pool.submit(() -> {
          RUNS.put(name, run(SigstoreConformanceTest.arguments(name)));
          return null;
        });
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.MINUTES)).as("conformance runs finished").isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conformanceThroughTheJar(String name) {
    Run r = RUNS.get(name);
    assertThat(r).as("%s ran", name).isNotNull();
    String all = r.out() + r.err();
    // a crash also exits non-zero: the reason must be a refusal, never a fault
    assertThat(all).as("%s: no crash", name)
        .doesNotContain("NoClassDefFoundError", "ClassNotFoundException", "LinkageError", "Exception in thread", "\tat ");
    if (name.endsWith("_fail")) {
      assertThat(r.code()).as("%s must be refused; stdout: %s", name, r.out()).isEqualTo(1);
      assertThat(r.err()).as("a reason is printed").startsWith("Error: not verified: ").hasSizeGreaterThan(25)
          .doesNotContain("Gantry failed while verifying");
      assertThat(r.err().lines().count()).as("one line").isEqualTo(1);
      if (SigstoreConformanceTest.REFUSED_EARLY.containsKey(name)) {
        assertThat(r.err()).contains(SigstoreConformanceTest.REFUSED_EARLY.get(name));
      }
    } else if (SigstoreConformanceTest.LIBRARY_LIMITS.containsKey(name)) {
      assertThat(r.code()).as("%s is a known sigstore-java 2.0.0 limit", name).isEqualTo(1);
      assertThat(r.err()).contains(SigstoreConformanceTest.LIBRARY_LIMITS.get(name));
    } else {
      assertThat(r.code()).as("%s must verify; stderr: %s", name, r.err()).isZero();
      assertThat(r.out()).startsWith("Verified OK: ");
    }
  }

  @Test
  void theConformanceSummaryIsPrinted() {
    // the figures the closing note and the README quote, from this run
    var byOutcome = RUNS.entrySet().stream().collect(Collectors.groupingBy(e -> {
      boolean shouldFail = e.getKey().endsWith("_fail");
      int code = e.getValue().code();
      return (shouldFail ? "_fail" : "valid") + " -> exit " + code;
    }, java.util.TreeMap::new, Collectors.counting()));
    System.out.println("conformance through the jar: " + byOutcome);
    var firstWords = RUNS.entrySet().stream().filter(e -> e.getKey().endsWith("_fail"))
        .map(e -> e.getValue().err().replace("Error: not verified: ", "").split("[:(]")[0].strip())
        .collect(Collectors.groupingBy(s -> s, java.util.TreeMap::new, Collectors.counting()));
    firstWords.forEach((w, n) -> System.out.println("  refused " + n + "x: " + w));
    assertThat(RUNS).hasSizeGreaterThanOrEqualTo(55);
  }

  static Run run(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(args);
    Path out = Files.createTempFile("gantry-cli", ".out");
    Path err = Files.createTempFile("gantry-cli", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("gantry " + String.join(" ", args) + " did not finish in 2 minutes");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
