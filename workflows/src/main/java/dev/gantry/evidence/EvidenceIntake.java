package dev.gantry.evidence;

/**
 * Evidence CI uploads through the API. Implemented beside the activities (the same parsers the
 * gates use judge it on arrival), so the API depends on this interface only.
 */
public interface EvidenceIntake {

  /**
   * @param created false when the release already had this exact record (an idempotent repeat)
   */
  record Received(String sha256, EvidenceType type, String mediaType, long size, boolean created) {}

  /**
   * Validates and stores one record for a release the catalog knows.
   *
   * @throws InvalidEvidenceException the document cannot be used, with the reason
   */
  Received receive(String service, String commit, EvidenceType type, String mediaType, byte[] content, String principal);
}
