package dev.gantry.evidence;

/**
 * Evidence that cannot be used: unparseable, too large, about another digest, badly signed. The
 * message is the reason a person reads; it never retries (the same bytes fail the same way).
 */
public class EvidenceException extends RuntimeException {
  public EvidenceException(String message) {
    super(message);
  }

  public EvidenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
