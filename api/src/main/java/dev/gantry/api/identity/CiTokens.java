package dev.gantry.api.identity;

import dev.gantry.api.ApiProblem;
import dev.gantry.release.CiRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * What a CI token may do: start and extend (upload evidence to) one release, of a service whose
 * {@code ci} rules its claims satisfy, for the commit its {@code sha} claim names; once used for a
 * release it is bound to it ({@link TokenLedger}). HTTP Basic callers with role {@code ci} pass
 * unchanged (the demo, tests).
 */
public class CiTokens {
  private static final Logger log = LoggerFactory.getLogger(CiTokens.class);
  private final CiRules rules;
  private final TokenLedger ledger;

  public CiTokens(CiRules rules, TokenLedger ledger) {
    this.rules = rules;
    this.ledger = ledger;
  }

  /**
   * @return the CI run the token asserts, to be recorded with the release; null for a caller
   *     without a token
   * @throws ApiProblem 403 {@code ClaimMismatch}, {@code TokenReplayed} or {@code CommitMismatch}
   */
  public CiRun authorize(Authentication auth, String service, String commit) {
    if (!(auth instanceof JwtAuthenticationToken token)) {
      return null;
    }
    Jwt jwt = token.getToken();
    String refusal = rules.refusal(service, jwt.getClaims());
    if (refusal != null) {
      throw refused(jwt, "ClaimMismatch", "this CI token may not act for " + service + ": " + refusal);
    }
    String issuer = jwt.getClaimAsString("iss");
    TokenLedger.Binding release = new TokenLedger.Binding(service, commit);
    ledger.boundTo(issuer, jwt.getId()).filter(b -> !b.equals(release)).ifPresent(b -> {
      throw replayed(jwt, b, release);
    });
    String sha = CiRules.value(jwt.getClaims(), "sha");
    if (!commit.equals(sha)) {
      throw refused(jwt, "CommitMismatch", "the token's sha claim is " + (sha == null ? "absent" : sha) + "; the release's commit is " + commit
          + ": a CI token acts only for the commit it was issued for");
    }
    TokenLedger.Binding held = ledger.bind(issuer, jwt.getId(), release, jwt.getExpiresAt());
    if (!held.equals(release)) {
      throw replayed(jwt, held, release);
    }
    return new CiRun(issuer, jwt.getSubject(), claim(jwt, "repository"), claim(jwt, "ref"), claim(jwt, "run_id"), claim(jwt, "run_attempt"),
        claim(jwt, "workflow_ref"), claim(jwt, "job_workflow_ref"), claim(jwt, "actor"));
  }

  private ApiProblem replayed(Jwt jwt, TokenLedger.Binding first, TokenLedger.Binding now) {
    return refused(jwt, "TokenReplayed", "this token (jti " + CiRules.value(jwt.getClaims(), "jti") + ") was used for release " + first
        + "; it cannot act for " + now + ": a CI token starts and extends only its own release");
  }

  private static ApiProblem refused(Jwt jwt, String type, String why) {
    log.info("CI token refused: iss={} sub={} reason={}: {}", CiRules.value(jwt.getClaims(), "iss"), CiRules.value(jwt.getClaims(), "sub"), type, why);
    return new ApiProblem(HttpStatus.FORBIDDEN, type, why);
  }

  private static String claim(Jwt jwt, String name) {
    return CiRules.value(jwt.getClaims(), name);
  }
}
