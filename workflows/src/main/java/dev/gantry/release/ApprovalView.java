package dev.gantry.release;

import java.time.Instant;

/**
 * @param evidenceBundle sha256 of the evidence bundle the approver approved; null where the
 *     environment has no gates or the approval predates evidence gates
 * @param issuer for an approver signed in with single sign-on: their token's {@code iss}; null
 *     for an HTTP Basic user, a plain signal, or an approval recorded before single sign-on
 * @param subject their token's {@code sub} ({@code by} is its display name); null as for issuer
 */
public record ApprovalView(String by, Instant at, String comment, String evidenceBundle, String issuer, String subject) {

  public ApprovalView(String by, Instant at, String comment, String evidenceBundle) {
    this(by, at, comment, evidenceBundle, null, null);
  }

  public ApprovalView(String by, Instant at, String comment) {
    this(by, at, comment, null);
  }
}
