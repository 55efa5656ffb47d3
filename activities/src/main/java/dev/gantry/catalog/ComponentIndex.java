package dev.gantry.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Stores the components of a release's SBOM and the findings of its scan reports for triage
 * (tables {@code components}, {@code release_components}, {@code scan_findings} of
 * {@code V3__evidence.sql}). Each call is one transaction of two or three statements whatever the
 * number of rows, and writes nothing twice: a retry, or the same SBOM indexed again, leaves the
 * same rows.
 *
 * <p>A purl is stored canonicalised (packageurl-java): qualifiers sorted, namespace and name
 * encoded ({@code @angular} becomes {@code %40angular}), so one package has one identity whichever
 * tool wrote the SBOM, and "every version of a package" is the text before the {@code @}. A purl
 * packageurl-java refuses is stored as given: it is evidence, and the SBOM gate judges it.
 */
public class ComponentIndex {

  /** One component of an SBOM. {@code purl} or {@code name} is required. */
  public record ComponentRow(
      String purl,
      String name,
      String version,
      String type,
      List<String> licenses,
      Map<String, String> hashes) {}

  /** One finding of a scan report: a vulnerability in a package of the image. */
  public record FindingRow(String vulnerability, String purl, String severity, String fixedVersion) {}

  // A btree entry holds at most ~2,700 bytes; keys stay well below.
  private static final int MAX_KEY = 2000;
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;

  public ComponentIndex(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Records that the release contains these components. Components already known (by canonical
   * purl, or {@code <type>:<name>@<version>} without one) are reused; rows that repeat a key are
   * stored once, the first one's licenses and hashes kept.
   *
   * @throws ApplicationFailure (non-retryable, {@link CatalogActivitiesImpl#CATALOG_REJECTED}) when
   *     the release is not in the catalog or a row cannot be stored, naming it
   * @throws CatalogUnavailableException when the database fails (retryable)
   */
  public void indexComponents(String service, String commit, List<ComponentRow> components) {
    require(components != null, "components are required (an empty list for an empty SBOM)");
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    for (int i = 0; i < components.size(); i++) {
      ObjectNode row = componentJson(i, components.get(i));
      byKey.putIfAbsent(row.get("key").asText(), row);
    }
    ArrayNode rows = JSON.createArrayNode().addAll(byKey.values());
    String upsertComponents =
        """
        INSERT INTO components (key, purl, name, version, type, licenses, hashes)
        SELECT key, purl, name, version, type, coalesce(licenses, '{}'), coalesce(hashes, '{}')
        FROM jsonb_to_recordset(?::jsonb)
             AS x(key text, purl text, name text, version text, type text, licenses text[], hashes jsonb)
        ON CONFLICT (key) DO NOTHING
        """;
    // A concurrent indexer's new component is committed (or its insert waited on) by now, and
    // this statement's snapshot sees it.
    String link =
        """
        INSERT INTO release_components (component_id, release_id)
        SELECT c.id, ? FROM components c WHERE c.key = ANY(?)
        ON CONFLICT DO NOTHING
        """;
    String json = write(rows);
    inTransaction(
        "index " + byKey.size() + " components of " + service + "@" + commit,
        c -> {
          long release = releaseId(c, service, commit);
          if (byKey.isEmpty()) {
            return null;
          }
          try (PreparedStatement ps = c.prepareStatement(upsertComponents)) {
            ps.setString(1, json);
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(link)) {
            ps.setLong(1, release);
            ps.setArray(2, c.createArrayOf("text", byKey.keySet().toArray()));
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Records the findings of one scan report of the release. A finding is one vulnerability in one
   * package (purl, or none); one already recorded from an earlier report keeps that report's
   * severity and evidence.
   *
   * @param evidenceSha256 {@code sha256:<hex>} of the scan report the findings come from
   */
  public void indexFindings(
      String service, String commit, String evidenceSha256, List<FindingRow> findings) {
    require(findings != null, "findings are required (an empty list for a clean report)");
    require(
        evidenceSha256 != null && SHA256.matcher(evidenceSha256).matches(),
        "findings must name the scan report they come from as sha256:<64 lowercase hex>, got "
            + evidenceSha256);
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    for (int i = 0; i < findings.size(); i++) {
      ObjectNode row = findingJson(i, findings.get(i));
      byKey.putIfAbsent(row.get("vulnerability").asText() + " " + row.get("purl").asText(), row);
    }
    String insert =
        """
        INSERT INTO scan_findings (release_id, vulnerability, purl, severity, fixed_version, evidence)
        SELECT ?, vulnerability, purl, severity, fixed_version, ?
        FROM jsonb_to_recordset(?::jsonb)
             AS x(vulnerability text, purl text, severity text, fixed_version text)
        ON CONFLICT (release_id, vulnerability, purl) DO NOTHING
        """;
    String json = write(JSON.createArrayNode().addAll(byKey.values()));
    inTransaction(
        "index " + byKey.size() + " findings of " + service + "@" + commit,
        c -> {
          long release = releaseId(c, service, commit);
          if (byKey.isEmpty()) {
            return null;
          }
          try (PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setLong(1, release);
            ps.setString(2, evidenceSha256);
            ps.setString(3, json);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * The purl as the catalog stores it: canonical when packageurl-java can parse it, else as given.
   * Triage canonicalises the purl it is asked for the same way.
   */
  public static String canonicalPurl(String purl) {
    try {
      return new PackageURL(purl).canonicalize();
    } catch (MalformedPackageURLException | RuntimeException unparseable) {
      return purl;
    }
  }

  private static ObjectNode componentJson(int index, ComponentRow row) {
    require(row != null, "component " + index + " is null");
    String purl = blankToNull(row.purl());
    PackageURL parsed = null;
    if (purl != null) {
      try {
        parsed = new PackageURL(purl);
        purl = parsed.canonicalize();
      } catch (MalformedPackageURLException | RuntimeException unparseable) {
        parsed = null; // stored as given
      }
    }
    String name = blankToNull(row.name());
    String version = blankToNull(row.version());
    if (name == null && parsed != null) {
      name = parsed.getName();
    }
    if (version == null && parsed != null) {
      version = blankToNull(parsed.getVersion());
    }
    String type = blankToNull(row.type());
    String what = "component " + index + " (" + (purl != null ? purl : name) + ")";
    require(name != null, "component " + index + " has neither a name nor a purl; one is needed to find it again");
    String key = purl != null ? purl : (type == null ? "" : type) + ":" + name + (version == null ? "" : "@" + version);
    require(key.length() <= MAX_KEY, what + " has an identity of " + key.length() + " characters; at most " + MAX_KEY + " are stored");
    ObjectNode json = JSON.createObjectNode();
    json.put("key", text(what, key));
    json.put("purl", text(what, purl));
    json.put("name", text(what, name));
    json.put("version", text(what, version));
    json.put("type", text(what, type));
    ArrayNode licenses = json.putArray("licenses");
    for (String license : row.licenses() == null ? List.<String>of() : row.licenses()) {
      if (blankToNull(license) != null) {
        licenses.add(text(what, license));
      }
    }
    ObjectNode hashes = json.putObject("hashes");
    if (row.hashes() != null) {
      row.hashes().forEach((alg, value) -> {
        require(alg != null && value != null, what + " has a hash with no algorithm or no value");
        hashes.put(text(what, alg), text(what, value));
      });
    }
    return json;
  }

  private static ObjectNode findingJson(int index, FindingRow row) {
    require(row != null, "finding " + index + " is null");
    String vulnerability = blankToNull(row.vulnerability());
    require(vulnerability != null, "finding " + index + " names no vulnerability");
    String what = "finding " + index + " (" + vulnerability + ")";
    String purl = blankToNull(row.purl());
    ObjectNode json = JSON.createObjectNode();
    json.put("vulnerability", text(what, vulnerability));
    // '' rather than null: the purl is part of the finding's key.
    json.put("purl", purl == null ? "" : text(what, canonicalPurl(purl)));
    String severity = blankToNull(row.severity());
    json.put("severity", text(what, severity == null ? "UNKNOWN" : severity.toUpperCase(Locale.ROOT)));
    json.put("fixed_version", text(what, blankToNull(row.fixedVersion())));
    return json;
  }

  /** PostgreSQL text cannot hold NUL; say which row has one rather than fail the whole batch. */
  private static String text(String what, String value) {
    require(value == null || value.indexOf('\0') < 0, what + " contains a NUL character, which the catalog cannot store");
    return value;
  }

  private static long releaseId(Connection c, String service, String commit) throws SQLException {
    require(service != null && commit != null, "indexing needs the release's service and commit");
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM releases WHERE service = ? AND commit = ?")) {
      ps.setString(1, service);
      ps.setString(2, commit);
      try (ResultSet rs = ps.executeQuery()) {
        require(rs.next(), "no release of " + service + " at commit " + commit + " in the catalog; record the release before indexing its evidence");
        return rs.getLong(1);
      }
    }
  }

  private static String write(ArrayNode rows) {
    try {
      return JSON.writeValueAsString(rows);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write rows as JSON", e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private <T> T inTransaction(String what, Transactions.Work<T> work) {
    try {
      return Transactions.inTransaction(dataSource, work);
    } catch (SQLException e) {
      String state = e.getSQLState();
      // 22xxx/23xxx: the rows themselves are wrong, a retry cannot help
      if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(
            "catalog refused to " + what + ": " + e.getMessage(), CatalogActivitiesImpl.CATALOG_REJECTED, e);
      }
      throw new CatalogUnavailableException(
          "catalog database failed to " + what + " (SQLState " + state + "): " + e.getMessage(), e);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw ApplicationFailure.newNonRetryableFailure(message, CatalogActivitiesImpl.CATALOG_REJECTED);
    }
  }
}
