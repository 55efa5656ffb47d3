package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evidence CI uploads through the API: judged on arrival by the check of the gate that reads its
 * type, then stored. The types with a check are the uploadable ones; the rest are written by
 * Gantry. Binding to the release's digest and the policy's rules are left to the gates.
 */
public final class EvidenceUploads implements EvidenceIntake {
  private static final Logger log = LoggerFactory.getLogger(EvidenceUploads.class);
  private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

  private final EvidenceStore store;
  private final Map<EvidenceType, EvidenceCheck> checks = new EnumMap<>(EvidenceType.class);
  private final String uploadable;

  public EvidenceUploads(EvidenceStore store, List<EvidenceCheck> checks) {
    this.store = store;
    for (EvidenceCheck c : checks) {
      if (this.checks.putIfAbsent(c.type(), c) != null) {
        throw new IllegalArgumentException("two checks for " + c.type() + " uploads");
      }
    }
    this.uploadable = this.checks.keySet().stream().map(Enum::name).collect(Collectors.joining(", "));
  }

  @Override
  public Received receive(String service, String commit, EvidenceType type, String mediaType, byte[] content, String principal) {
    if (type == null) {
      throw new InvalidEvidenceException("type is required: one of " + uploadable);
    }
    EvidenceCheck check = checks.get(type);
    if (check == null) {
      throw new InvalidEvidenceException(type + " records are written by Gantry, not uploaded (uploadable: " + uploadable + ")");
    }
    if (mediaType == null || !MEDIA_TYPE.matcher(mediaType).matches()) {
      throw new InvalidEvidenceException("mediaType '" + mediaType + "' is not a media type such as application/vnd.cyclonedx+json");
    }
    JsonNode json;
    try {
      json = Json.read(content, type + " document");
      check.check(new EvidenceDocument(Json.contentId(json), type, mediaType, "upload:" + principal, json));
    } catch (EvidenceException e) {
      throw new InvalidEvidenceException(e.getMessage());
    }
    EvidenceStore.Stored stored = store.store(service, commit, type, mediaType, json, "upload:" + principal);
    log.info("evidence {} {} for {}/{} from {}{}", type, stored.sha256(), service, commit, principal, stored.created() ? "" : " (already had it)");
    return new Received(stored.sha256(), type, mediaType, stored.size(), stored.created());
  }
}
