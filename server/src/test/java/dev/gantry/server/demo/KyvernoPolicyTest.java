package dev.gantry.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignSigner;
import dev.gantry.signing.CosignVerifier;
import dev.gantry.signing.PemSigner;
import dev.gantry.signing.SignRequest;
import dev.gantry.signing.SigningActivitiesImpl;
import dev.gantry.signing.SummaryRequest;
import dev.gantry.signing.VerificationSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Kyverno cannot run here, so this checks that the Kyverno policy in {@code gitops-templates/}
 * lines up with what Gantry writes, both parsed: the policy as the demo's GitOps repository holds
 * it, against the signatures and verification summaries Gantry's signing activities write on the
 * demo's images with the demo key. A field renamed on either side (the annotation key, a summary
 * field, the predicate type, the namespaces, the key) fails it.
 */
class KyvernoPolicyTest {
  private static final String POLICY = "policies/kyverno-gantry-verify.yaml";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A condition key Kyverno resolves against the summary's predicate: one field, {@code {{ name }}}. */
  private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

  @TempDir static Path dataDir;
  private static DemoEnvironment demo;
  private static Map<String, Object> policy;
  private static List<String> environments;
  private static RegistrySettings settings;
  private static PemSigner signer;
  private static String demoPublicKeyPem;

  @BeforeAll
  static void demo() throws Exception {
    demo = new DemoEnvironment(dataDir);
    policy = yaml(read(POLICY));
    // the environments Argo CD deploys, each from its values file
    Map<String, Object> appSet = yaml(read("argocd/applicationset.yaml"));
    environments = new ArrayList<>();
    for (Object element : list(path(appSet, "spec", "generators", 0, "list", "elements"))) {
      environments.add((String) map(element).get("environment"));
    }
    assertThat(environments).containsExactly("dev", "staging", "production");
    settings = RegistrySettings.allowing("oci:" + dataDir.resolve("oci"));
    signer = PemSigner.fromPem(resource("demo/gantry-signing-key.pem"));
    demoPublicKeyPem = resource("demo/gantry-signing-key.pub");
  }

  @Test
  void itIsAKyvernoClusterPolicyWithOneEnforcingRulePerEnvironmentNamespace() throws Exception {
    assertThat(policy.get("apiVersion")).isEqualTo("kyverno.io/v1");
    assertThat(policy.get("kind")).isEqualTo("ClusterPolicy");
    assertThat(path(policy, "spec", "webhookConfiguration", "failurePolicy")).isEqualTo("Fail");
    List<Object> rules = list(path(policy, "spec", "rules"));
    assertThat(rules).hasSameSizeAs(environments);
    String namespaceTemplate = (String) path(yaml(read("argocd/applicationset.yaml")), "spec", "template", "spec", "destination", "namespace");
    for (int i = 0; i < environments.size(); i++) {
      String env = environments.get(i);
      Map<String, Object> rule = map(rules.get(i));
      assertThat(rule.get("name")).isEqualTo("gantry-" + env);
      // the namespace Argo CD deploys this environment into
      String namespace = namespaceTemplate.replaceAll("\\{\\{\\s*\\.environment\\s*}}", env);
      assertThat(path(rule, "match", "any", 0, "resources", "namespaces")).isEqualTo(List.of(namespace));
      assertThat(path(rule, "match", "any", 0, "resources", "kinds")).isEqualTo(List.of("Pod"));
      assertThat(yaml(read("values-" + env + ".yaml")).get("environment")).isEqualTo(env);

      Map<String, Object> verify = map(single(rule.get("verifyImages")));
      assertThat(verify).containsEntry("type", "Cosign").containsEntry("failureAction", "Enforce")
          .containsEntry("required", true).containsEntry("verifyDigest", true).containsEntry("mutateDigest", true);
    }
  }

  @Test
  void theImageReferencesAreTheDemoImagesRepository() throws Exception {
    String repository = (String) map(yaml(read("values-dev.yaml")).get("image")).get("repository");
    assertThat(repository).isEqualTo(demo.image());
    for (Map<String, Object> verify : verifyImages()) {
      List<String> patterns = strings(verify.get("imageReferences"));
      for (DemoEnvironment.Build build : demo.builds()) {
        // what chart/templates/deployment.yaml runs, and a tag Kyverno turns into a digest
        assertThat(patterns).anyMatch(p -> wildcard(p, repository + "@" + build.digest()));
        assertThat(patterns).anyMatch(p -> wildcard(p, repository + ":" + build.tag()));
        assertThat(patterns).noneMatch(p -> wildcard(p, repository + "-other@" + build.digest()));
        assertThat(patterns).noneMatch(p -> wildcard(p, "registry.example/other@" + build.digest()));
      }
    }
  }

  @Test
  void everyAttestorKeyIsGantrysDemoPublicKey() {
    assertThat(PublicKeys.fromPem(demoPublicKeyPem)).isEqualTo(signer.publicKey());
    List<Map<String, Object>> keys = new ArrayList<>();
    for (Map<String, Object> verify : verifyImages()) {
      keys.add(map(path(map(single(path(map(single(verify.get("attestors"))), "entries"))), "keys")));
      if (verify.containsKey("attestations")) {
        Map<String, Object> attestation = map(single(verify.get("attestations")));
        keys.add(map(path(map(single(path(map(single(attestation.get("attestors"))), "entries"))), "keys")));
      }
    }
    assertThat(keys).hasSize(2 * environments.size() - 1);
    for (Map<String, Object> key : keys) {
      assertThat(((String) key.get("publicKeys")).strip()).isEqualTo(demoPublicKeyPem.strip());
      // Gantry writes no transparency log entry
      assertThat(path(key, "rekor", "ignoreTlog")).isEqualTo(true);
      assertThat(path(key, "ctlog", "ignoreSCT")).isEqualTo(true);
    }
  }

  /**
   * The demo's first build promoted through every environment in order, as the promotion workflow
   * does: signed for an environment, then (once healthy) its summary attested. At each admission
   * the rule of that environment must accept exactly what Gantry wrote by then.
   */
  @Test
  void eachRuleAcceptsWhatGantryWroteByTheTimeItsEnvironmentRunsTheDigest() throws Exception {
    DemoEnvironment.Build build = demo.builds().getFirst();
    ImageRef image = new ImageRef(demo.image(), build.digest());
    ReleaseRef release = new ReleaseRef(DemoEnvironment.SERVICE, build.commit(), demo.image(), build.digest());
    SigningActivitiesImpl signing = new SigningActivitiesImpl(settings, signer);
    List<PublicKey> gantryKey = List.of(PublicKeys.fromPem(demoPublicKeyPem));
    List<Map<String, Object>> verifies = verifyImages();

    for (int i = 0; i < environments.size(); i++) {
      String env = environments.get(i);
      Map<String, Object> verify = verifies.get(i);
      Map<String, Object> entry = map(single(path(map(single(verify.get("attestors"))), "entries")));
      Map<String, String> annotations = stringMap(entry.get("annotations"));
      assertThat(annotations).containsOnlyKeys(SigningActivitiesImpl.ENVIRONMENT).containsEntry(SigningActivitiesImpl.ENVIRONMENT, env);
      assertThat(CosignVerifier.verify(image, gantryKey, annotations, settings).ok())
          .as("not yet signed for %s", env).isFalse();

      signing.sign(new SignRequest(release, env, null));

      // (a) the signature Kyverno's Cosign verifier reads: the .sig payload's optional annotations
      CosignVerifier.Result signed = CosignVerifier.verify(image, gantryKey, annotations, settings);
      assertThat(signed.ok()).as(signed.reason()).isTrue();
      assertThat(signed.verified(CosignSigner.Form.LEGACY)).isTrue();
      assertThat(legacyPayloads(image)).anySatisfy(payload -> {
        assertThat(payload.path("critical").path("image").path("docker-manifest-digest").asText()).isEqualTo(build.digest());
        annotations.forEach((k, v) -> assertThat(payload.path("optional").path(k).asText()).isEqualTo(v));
      });

      // (b) the summaries of the environments before this one
      List<JsonNode> predicates = summaries(image, gantryKey);
      if (i == 0) {
        assertThat(verify).as("the first environment has no summary before its first rollout").doesNotContainKey("attestations");
        assertThat(predicates).isEmpty();
      } else {
        Map<String, Object> attestation = map(single(verify.get("attestations")));
        assertThat(attestation.get("type")).isEqualTo(VerificationSummary.PREDICATE_TYPE);
        List<Map<String, Object>> conditions = conditions(attestation);
        assertThat(conditions).extracting(c -> c.get("key")).containsExactly("{{ verificationResult }}", "{{ environment }}");
        assertThat(predicates).hasSize(i);
        // Kyverno applies the conditions to every summary on the digest
        for (JsonNode predicate : predicates) {
          assertThat(holds(conditions, predicate)).as("%s's rule on %s", env, predicate).isTrue();
        }
        // and they refuse what Gantry would say about a digest it did not verify, or another instance's environments
        VerificationSummary good = VerificationSummary.parse(statementOf(predicates.getFirst(), build));
        assertThat(holds(conditions, predicateOf(failed(good)))).isFalse();
        assertThat(holds(conditions, predicateOf(inEnvironment(good, "qa")))).isFalse();
      }

      // healthy in this environment: the promotion attests it
      signing.attestVerified(new SummaryRequest(release, env, null, "promotion/" + env, Instant.parse("2026-11-20T10:00:00Z")));
    }
    assertThat(summaries(image, gantryKey)).extracting(p -> p.path("environment").asText()).containsExactlyElementsOf(environments);
  }

  // ------------------------------------------------------------------ what Gantry wrote

  /** The simple-signing payloads of the image's {@code .sig} tag. */
  private static List<JsonNode> legacyPayloads(ImageRef image) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Attachments.SignatureLayer layer : Attachments.signatures(image, settings, Attachments.Limits.DEFAULT)) {
      out.add(JSON.readTree(layer.payload()));
    }
    return out;
  }

  /** The predicates of the summaries in the image's {@code .att} tag that verify with Gantry's key. */
  private static List<JsonNode> summaries(ImageRef image, List<PublicKey> keys) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Attachment a : Attachments.list(image, settings)) {
      if (!a.source().endsWith(":att") || !VerificationSummary.PREDICATE_TYPE.equals(a.predicateType())) {
        continue;
      }
      Dsse.Envelope envelope = Objects.requireNonNull(Dsse.envelopeOf(JSON.readTree(a.content())));
      assertThat(envelope.verifiedBy(keys)).isZero();
      JsonNode statement = JSON.readTree(envelope.payload());
      assertThat(statement.path("predicateType").asText()).isEqualTo(VerificationSummary.PREDICATE_TYPE);
      out.add(statement.path("predicate"));
    }
    return out;
  }

  private static JsonNode statementOf(JsonNode predicate, DemoEnvironment.Build build) {
    var statement = JSON.createObjectNode();
    statement.put("predicateType", VerificationSummary.PREDICATE_TYPE);
    statement.putArray("subject").addObject().putObject("digest").put("sha256", build.digest().substring("sha256:".length()));
    statement.set("predicate", predicate);
    return statement;
  }

  private static JsonNode predicateOf(VerificationSummary summary) throws IOException {
    return JSON.readTree(summary.statement()).path("predicate");
  }

  private static VerificationSummary failed(VerificationSummary s) {
    return new VerificationSummary(s.verifierId(), s.timeVerified(), s.repository(), s.digest(), s.environment(),
        s.policyUri(), s.policyDigest(), s.inputs(), false, s.verifiedLevels());
  }

  private static VerificationSummary inEnvironment(VerificationSummary s, String environment) {
    return new VerificationSummary(s.verifierId(), s.timeVerified(), s.repository(), s.digest(), environment,
        s.policyUri(), s.policyDigest(), s.inputs(), s.passed(), s.verifiedLevels());
  }

  // ------------------------------------------------------------------ the policy, as Kyverno reads it

  private static List<Map<String, Object>> verifyImages() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object rule : list(path(policy, "spec", "rules"))) {
      out.add(map(single(map(rule).get("verifyImages"))));
    }
    return out;
  }

  private static List<Map<String, Object>> conditions(Map<String, Object> attestation) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object block : list(attestation.get("conditions"))) {
      assertThat(map(block)).as("conditions are one all-block").containsOnlyKeys("all");
      list(map(block).get("all")).forEach(c -> out.add(map(c)));
    }
    return out;
  }

  /**
   * Kyverno's evaluation of {@code all} conditions whose keys name a predicate field: {@code
   * Equals} and {@code AnyIn}, the operators the policy uses. A field the predicate lacks fails
   * the test, as it would fail every admission.
   */
  private static boolean holds(List<Map<String, Object>> conditions, JsonNode predicate) {
    for (Map<String, Object> c : conditions) {
      Matcher m = FIELD.matcher((String) c.get("key"));
      if (!m.matches()) {
        fail("condition key " + c.get("key") + " is not one predicate field {{ name }}");
      }
      JsonNode field = predicate.get(m.group(1));
      if (field == null || !field.isTextual()) {
        fail("the verification summary has no field " + m.group(1) + " (condition " + c + "): " + predicate);
      }
      boolean ok =
          switch ((String) c.get("operator")) {
            case "Equals" -> field.asText().equals(c.get("value"));
            case "AnyIn" -> strings(c.get("value")).contains(field.asText());
            default -> throw new AssertionError("operator " + c.get("operator") + " is not one this test evaluates");
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Kyverno's image pattern match: {@code *} any run of characters, {@code ?} one. */
  static boolean wildcard(String pattern, String image) {
    StringBuilder regex = new StringBuilder();
    for (char ch : pattern.toCharArray()) {
      switch (ch) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return image.matches(regex.toString());
  }

  // ------------------------------------------------------------------ reading

  /** A file of the demo's GitOps repository, on main. */
  private static String read(String file) throws IOException {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(demo.gitopsRepository().toFile()).setMustExist(true).build();
        RevWalk walk = new RevWalk(repo);
        TreeWalk tree = TreeWalk.forPath(repo, file, walk.parseCommit(repo.resolve("refs/heads/main")).getTree())) {
      assertThat(tree).as("%s in the demo's GitOps repository", file).isNotNull();
      return new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = KyvernoPolicyTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name + " on the classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Map<String, Object> yaml(String text) {
    return map(new Load(LoadSettings.builder().build()).loadFromString(text));
  }

  private static Object path(Object node, Object... steps) {
    Object at = node;
    for (Object step : steps) {
      at = step instanceof Integer i ? list(at).get(i) : map(at).get(step);
      if (at == null) {
        fail("no " + List.of(steps) + " in " + node);
      }
    }
    return at;
  }

  private static Object single(Object node) {
    assertThat(list(node)).hasSize(1);
    return list(node).getFirst();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return (List<Object>) node;
  }

  private static List<String> strings(Object node) {
    return list(node).stream().map(String.class::cast).toList();
  }

  private static Map<String, String> stringMap(Object node) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    map(node).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }
}
