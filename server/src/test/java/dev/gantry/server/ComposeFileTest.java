package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so this checks
 * what can be checked without one: the compose file conforms to the Compose specification's JSON
 * schema, its start order and health wiring are the ones Gantry needs, and the image does not run
 * as root.
 */
class ComposeFileTest {
  // Jackson 2 types: the validator line (2.0.x) is the one cyclonedx-core-java is built against
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path repoRoot;
  private static Schema composeSchema;
  private static Map<String, Object> compose;

  @BeforeAll
  static void load() throws IOException {
    // Surefire runs in the module directory; the repository root is its parent.
    Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    repoRoot = module.getParent();
    assertThat(repoRoot.resolve("docker-compose.yml")).as("docker-compose.yml at the repository root").isRegularFile();

    // The repository is cloned with shared/ beside it.
    Path schemaFile = repoRoot.resolve("../shared/testdata/compose-spec/compose-spec.json").normalize();
    if (!Files.isRegularFile(schemaFile)) {
      fail("the Compose specification schema is missing: looked for " + schemaFile
          + " (../shared/testdata/compose-spec/compose-spec.json relative to the repository root " + repoRoot + ")");
    }
    JsonNode schemaNode = JSON.readTree(Files.readString(schemaFile));
    String declared = schemaNode.path("$schema").asText();
    assertThat(declared).as("the draft the Compose schema declares").contains("draft-07");
    // its $id is relative (compose_spec.json), so the file's own location is the base
    composeSchema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
            .getSchema(SchemaLocation.of(schemaFile.toUri().toString()), schemaNode);
    assertThat(composeSchema.getSchemaContext().getDialect().getSpecificationVersion())
        .as("the validator reads the schema's declared %s as draft 7", declared)
        .isEqualTo(SpecificationVersion.DRAFT_7);

    compose = yaml(Files.readString(repoRoot.resolve("docker-compose.yml")));
  }

  @Test
  void composeFileConformsToTheComposeSpecification() {
    assertThat(validate(compose)).isEmpty();
  }

  @Test
  void validatorRejectsABadDependsOnCondition() {
    Map<String, Object> broken = deepCopy(compose);
    dependsOn(broken, "gantry").put("temporal", Map.of("condition", "service_ready"));
    assertThat(validate(broken)).isNotEmpty().anySatisfy(e -> assertThat(e).startsWith("/services/gantry/depends_on/temporal/condition").contains("enumeration"));
  }

  @Test
  void validatorRejectsUnknownProperties() {
    Map<String, Object> topLevel = deepCopy(compose);
    topLevel.put("servics", Map.of());
    assertThat(validate(topLevel)).isNotEmpty().anySatisfy(e -> assertThat(e).contains("servics"));

    Map<String, Object> inService = deepCopy(compose);
    service(inService, "gantry").put("healthchek", Map.of("test", List.of("NONE")));
    assertThat(validate(inService)).isNotEmpty().anySatisfy(e -> assertThat(e).contains("healthchek"));
  }

  @Test
  void gantryStartsAfterPostgresqlTemporalAndTheOneShotJobs() {
    assertThat(conditions("gantry"))
        .containsEntry("postgresql", "service_healthy")
        .containsEntry("temporal", "service_healthy")
        .containsEntry("temporal-admin-tools", "service_completed_successfully")
        .containsEntry("temporal-create-namespace", "service_completed_successfully");
    // schema before server, server before namespace, database before schema
    assertThat(conditions("temporal-admin-tools")).containsEntry("postgresql", "service_healthy");
    assertThat(conditions("temporal")).containsEntry("temporal-admin-tools", "service_completed_successfully");
    assertThat(conditions("temporal-create-namespace")).containsEntry("temporal", "service_healthy");
    assertThat(conditions("temporal-ui")).containsEntry("temporal", "service_healthy");
  }

  @Test
  void everyLongRunningServiceHasAHealthcheckAndEveryConditionCanBeMet() {
    Map<String, Object> services = map(compose.get("services"));
    Set<String> oneShot = new java.util.HashSet<>();
    for (String name : services.keySet()) {
      conditions(name).forEach((dependency, condition) -> {
        assertThat(services).as("%s depends on a service that exists", name).containsKey(dependency);
        if (condition.equals("service_completed_successfully")) {
          oneShot.add(dependency);
        }
      });
    }
    assertThat(oneShot).containsExactlyInAnyOrder("temporal-admin-tools", "temporal-create-namespace");

    for (String name : services.keySet()) {
      Map<String, Object> service = map(services.get(name));
      if (oneShot.contains(name)) {
        // a job that restarts after success never completes
        assertThat(String.valueOf(service.getOrDefault("restart", "no"))).as("%s restart policy", name).matches("no|on-failure(:\\d+)?");
        continue;
      }
      assertThat(service).as("%s is long-running and needs a healthcheck", name).containsKey("healthcheck");
      Map<String, Object> healthcheck = map(service.get("healthcheck"));
      assertThat(healthcheck.get("disable")).as("%s healthcheck disabled", name).isNotEqualTo(true);
      List<Object> test = list(healthcheck.get("test"));
      assertThat(test).as("%s healthcheck test", name).hasSizeGreaterThan(1);
      assertThat(test.getFirst()).as("%s healthcheck form", name).isIn("CMD", "CMD-SHELL");
      assertThat(String.valueOf(service.get("restart"))).as("%s restart policy", name).isEqualTo("unless-stopped");
    }
    // whatever waits for service_healthy waits on a service that has a healthcheck
    for (String name : services.keySet()) {
      conditions(name).forEach((dependency, condition) -> {
        if (condition.equals("service_healthy")) {
          assertThat(map(services.get(dependency))).as("%s waits for %s to be healthy", name, dependency).containsKey("healthcheck");
        }
      });
    }
  }

  @Test
  void gantryTalksToTheRealTemporalAndPostgresql() throws IOException {
    Map<String, Object> gantry = service(compose, "gantry");
    Object build = gantry.get("build");
    assertThat(build instanceof String ? build : map(build).get("context")).as("gantry is built from the repository's Dockerfile").isEqualTo(".");
    Map<String, Object> env = map(gantry.get("environment"));
    assertThat(env)
        .containsEntry("GANTRY_TEMPORAL_EMBEDDED", "false")
        .containsEntry("GANTRY_DATABASE_EMBEDDED", "false")
        .containsEntry("GANTRY_TEMPORAL_TARGET", "temporal:7233")
        .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgresql:5432/gantry")
        .containsEntry("SERVER_ADDRESS", "0.0.0.0")
        // the settings the fault suite proves Gantry under
        .containsEntry("SPRING_DATASOURCE_HIKARI_CONNECTION_TIMEOUT", Integer.toString(FaultWorld.DB_CONNECTION_TIMEOUT_MS))
        .containsEntry("GANTRY_ROLES", "api,worker");
    assertThat(list(gantry.get("ports"))).containsExactly("127.0.0.1:8080:8080");

    // the extra configuration it is pointed at is mounted there, and exists in the repository
    String location = String.valueOf(env.get("SPRING_CONFIG_ADDITIONAL_LOCATION"));
    assertThat(location).startsWith("file:");
    String inContainer = location.substring("file:".length());
    assertThat(list(gantry.get("volumes"))).anySatisfy(v -> assertThat(String.valueOf(v)).endsWith(":" + inContainer + ":ro"));

    // every bind mount names a file or directory that is in the repository
    Map<String, Object> services = map(compose.get("services"));
    for (String name : services.keySet()) {
      for (Object volume : list(map(services.get(name)).getOrDefault("volumes", List.of()))) {
        String source = String.valueOf(volume).split(":")[0];
        if (source.startsWith("./")) {
          assertThat(repoRoot.resolve(source).normalize()).as("%s mounts %s", name, source).exists();
        }
      }
    }

    // the init script creates the database the datasource names, and Temporal's two
    String init = Files.readString(repoRoot.resolve("deploy/postgres/init/01-gantry.sql")).toLowerCase(Locale.ROOT);
    assertThat(init).contains("create database gantry", "create database temporal;", "create database temporal_visibility;");
    assertThat(init).contains("password '" + env.get("SPRING_DATASOURCE_PASSWORD") + "'");
  }

  /** The server the fault suite and the replayed histories prove Gantry against is the one compose runs. */
  @Test
  void temporalIsTheVersionTheFaultSuiteRuns() {
    Map<String, Object> services = map(compose.get("services"));
    List<String> temporalImages = services.values().stream()
        .map(s -> String.valueOf(map(s).get("image")))
        .filter(i -> i.startsWith("temporalio/server:") || i.startsWith("temporalio/admin-tools:"))
        .toList();
    assertThat(temporalImages).as("temporalio/server and admin-tools images").hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(i -> assertThat(i).endsWith(":" + TemporalServerProcess.VERSION));
  }

  @Test
  void gantryGetsAtLeastSpringsShutdownPhaseBeforeSigkill() throws IOException {
    Map<String, Object> app = yaml(Files.readString(repoRoot.resolve("server/src/main/resources/application.yaml")));
    Duration phase = duration(String.valueOf(map(map(app.get("spring")).get("lifecycle")).get("timeout-per-shutdown-phase")));
    Duration grace = duration(String.valueOf(service(compose, "gantry").get("stop_grace_period")));
    assertThat(grace).isGreaterThanOrEqualTo(phase);
  }

  @Test
  void imageRunsAsANonRootUser() throws IOException {
    String dockerfile = Files.readString(repoRoot.resolve("Dockerfile"));
    List<List<String>> stages = stages(dockerfile);
    assertThat(stages).as("multi-stage build").hasSizeGreaterThanOrEqualTo(2);
    List<String> runtime = stages.getLast();
    assertThat(runtime.getFirst()).as("runtime base image").containsIgnoringCase("jre").contains("25");
    assertThat(runtime).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/gantry.jar\"]", "EXPOSE 8080");
    assertThat(runtime).anySatisfy(i -> assertThat(i).startsWith("VOLUME").contains("/var/lib/gantry"));
    assertThat(runtimeUser(dockerfile)).hasValueSatisfying(user -> assertThat(isRoot(user)).as("USER %s", user).isFalse());
  }

  @Test
  void runtimeUserCheckCatchesRoot() {
    String base = "FROM eclipse-temurin:25-jdk AS build\nUSER 10001\nFROM eclipse-temurin:25-jre\n";
    assertThat(runtimeUser(base)).as("USER in the build stage does not count").isEmpty();
    assertThat(runtimeUser(base + "USER 10001:10001\nUSER root\n").map(ComposeFileTest::isRoot)).hasValue(true);
    assertThat(runtimeUser(base + "USER 0:0\n").map(ComposeFileTest::isRoot)).hasValue(true);
    assertThat(runtimeUser(base + "USER root \\\n  \n").map(ComposeFileTest::isRoot)).hasValue(true);
    assertThat(runtimeUser(base + "user gantry\n").map(ComposeFileTest::isRoot)).hasValue(false);
  }

  // --- helpers

  private static List<String> validate(Map<String, Object> document) {
    JsonNode node = JSON.valueToTree(document);
    return composeSchema.validate(node).stream().map(com.networknt.schema.Error::toString).toList();
  }

  /** Instructions per stage, continuation lines joined and comments dropped; each stage starts with its FROM. */
  static List<List<String>> stages(String dockerfile) {
    List<List<String>> stages = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String raw : dockerfile.split("\\R")) {
      String line = raw.strip();
      if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      String instruction = (pending + line).strip();
      pending.setLength(0);
      if (instruction.regionMatches(true, 0, "FROM ", 0, 5)) {
        stages.add(new ArrayList<>());
      }
      if (stages.isEmpty()) {
        continue; // ARG before the first FROM
      }
      stages.getLast().add(instruction);
    }
    if (!pending.isEmpty() && !stages.isEmpty()) {
      stages.getLast().add(pending.toString().strip());
    }
    return stages;
  }

  /** The user the final stage runs as: its last USER instruction, if it has one. */
  static Optional<String> runtimeUser(String dockerfile) {
    List<List<String>> stages = stages(dockerfile);
    if (stages.isEmpty()) {
      return Optional.empty();
    }
    return stages.getLast().stream()
        .filter(i -> i.regionMatches(true, 0, "USER ", 0, 5))
        .map(i -> i.substring(5).strip())
        .reduce((first, second) -> second);
  }

  static boolean isRoot(String user) {
    String name = user.split(":")[0].strip();
    return name.isEmpty() || name.equals("root") || name.equals("0");
  }

  private static Duration duration(String compose) {
    return Duration.parse("PT" + compose.toUpperCase(Locale.ROOT));
  }

  private static Map<String, String> conditions(String serviceName) {
    Object dependsOn = service(compose, serviceName).get("depends_on");
    Map<String, String> conditions = new LinkedHashMap<>();
    if (dependsOn instanceof List<?> names) {
      names.forEach(n -> conditions.put(String.valueOf(n), "service_started"));
    } else if (dependsOn != null) {
      map(dependsOn).forEach((name, spec) -> conditions.put(name, String.valueOf(map(spec).get("condition"))));
    }
    return conditions;
  }

  private static Map<String, Object> dependsOn(Map<String, Object> document, String serviceName) {
    return map(service(document, serviceName).get("depends_on"));
  }

  private static Map<String, Object> service(Map<String, Object> document, String name) {
    Map<String, Object> services = map(document.get("services"));
    assertThat(services).as("services").containsKey(name);
    return map(services.get(name));
  }

  private static Map<String, Object> yaml(String text) {
    return map(new Load(LoadSettings.builder().build()).loadFromString(text));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    if (value == null) {
      return new LinkedHashMap<>();
    }
    if (value instanceof String) {
      return Map.of(); // e.g. `build: .`
    }
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> document) {
    return JSON.convertValue(document, LinkedHashMap.class);
  }
}
