package dev.gantry.release;

import java.util.List;

/**
 * An approval or a rejection for one environment.
 *
 * @param by the deciding principal; the API takes it from the authenticated user, never the body
 * @param groups the principal's groups as the API authenticated them; null for a plain signal, in
 *     which case membership is checked against the environment's configured approvers
 * @param comment free text; for a rejection, the reason
 * @param evidenceBundle for an approval: sha256 of the evidence bundle the approver reviewed. Where
 *     the environment has gates it is required and must be the current bundle, so an approval
 *     never carries over to evidence the approver did not see
 * @param issuer for a principal signed in with single sign-on: the token's {@code iss} (null
 *     otherwise, and in decisions recorded before single sign-on)
 * @param subject the token's {@code sub}; {@code by} is then its display name
 */
public record Decision(String environment, String by, List<String> groups, String comment, String evidenceBundle, String issuer, String subject) {

  public Decision(String environment, String by, List<String> groups, String comment, String evidenceBundle) {
    this(environment, by, groups, comment, evidenceBundle, null, null);
  }

  public Decision(String environment, String by, List<String> groups, String comment) {
    this(environment, by, groups, comment, null);
  }
}
