package dev.gantry.evidence;

/** An uploaded evidence document that cannot be used; the message says why. Nothing was stored. */
public class InvalidEvidenceException extends IllegalArgumentException {
  public InvalidEvidenceException(String message) {
    super(message);
  }
}
