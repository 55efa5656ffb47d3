package dev.gantry.api.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which CI runs each service trusts ({@code gantry.services[].ci}), checked once at start, and the
 * verdict on a verified token's claims: accepted, or the claim that failed, named.
 */
public final class CiRules {
  private final Map<String, List<CiProperties.Rule>> byService = new LinkedHashMap<>();

  public CiRules(CiProperties props, Set<String> trustedIssuers) {
    for (CiProperties.Service s : props.services()) {
      List<CiProperties.Rule> rules = s.ci() == null ? List.of() : s.ci();
      for (int i = 0; i < rules.size(); i++) {
        CiProperties.Rule r = rules.get(i);
        String where = "gantry.services: " + s.name() + " ci[" + i + "]";
        if (r == null || r.issuer() == null || r.issuer().isBlank()) {
          throw new IllegalStateException(where + ": issuer is required (one of gantry.auth.oidc.issuers)");
        }
        if (!trustedIssuers.contains(r.issuer())) {
          throw new IllegalStateException(where + ": issuer " + r.issuer() + " is not one of gantry.auth.oidc.issuers " + trustedIssuers);
        }
        // an issuer alone is every repository it serves: GitHub's issuer signs for all of GitHub
        if ((r.repository() == null || r.repository().isBlank()) && (r.claims() == null || r.claims().isEmpty())) {
          throw new IllegalStateException(where + ": name the repository (or, for another CI issuer, claims such as project_path):"
              + " the issuer alone trusts every repository it signs tokens for");
        }
        for (CiProperties.Claim c : r.claims() == null ? List.<CiProperties.Claim>of() : r.claims()) {
          if (c == null || c.name() == null || c.name().isBlank() || c.value() == null || c.value().isBlank()) {
            throw new IllegalStateException(where + ": every claims entry needs a name and a value");
          }
        }
      }
      byService.put(s.name(), List.copyOf(rules));
    }
  }

  /** Null when the service's CI rules accept these claims; otherwise why not, naming the claim. */
  public String refusal(String service, Map<String, Object> claims) {
    List<CiProperties.Rule> rules = byService.getOrDefault(service, List.of());
    if (rules.isEmpty()) {
      return service + " accepts no CI token: it has no gantry.services[].ci rules";
    }
    List<String> why = new ArrayList<>();
    for (CiProperties.Rule r : rules) {
      String failed = failed(service, r, claims);
      if (failed == null) {
        return null;
      }
      if (!why.contains(failed)) {
        why.add(failed);
      }
    }
    return String.join(" or ", why);
  }

  /** The services whose CI rules accept these claims. */
  public List<String> trusting(Map<String, Object> claims) {
    return byService.keySet().stream().filter(s -> refusal(s, claims) == null).toList();
  }

  /**
   * Why no service trusts these claims. Names only rules of services built from the token's own
   * repository, so a token from elsewhere learns nothing about what Gantry deploys.
   */
  public String untrusted(Map<String, Object> claims) {
    String iss = value(claims, "iss");
    String repository = value(claims, "repository");
    List<String> why = new ArrayList<>();
    byService.forEach((service, rules) -> {
      boolean ours = rules.stream().anyMatch(r -> r.issuer().equals(iss) && (r.repository() == null || r.repository().equals(repository)));
      if (ours) {
        why.add(refusal(service, claims));
      }
    });
    if (!why.isEmpty()) {
      return String.join("; ", why);
    }
    return repository != null
        ? "claim repository is " + repository + "; no service's CI is that repository"
        : "no service's CI rules accept a token of " + iss + " for subject " + value(claims, "sub");
  }

  private static String failed(String service, CiProperties.Rule r, Map<String, Object> claims) {
    String iss = value(claims, "iss");
    if (!r.issuer().equals(iss)) {
      return "claim iss is " + iss + "; " + service + "'s CI is issued by " + r.issuer();
    }
    if (r.repository() != null && !r.repository().equals(value(claims, "repository"))) {
      return mismatch("repository", claims, service + "'s CI is " + r.repository());
    }
    if (r.ref() != null && !matches(r.ref(), value(claims, "ref"))) {
      return mismatch("ref", claims, service + "'s CI " + (r.ref().contains("*") ? "matches " : "is ") + r.ref());
    }
    String jobWorkflow = value(claims, "job_workflow_ref");
    if (r.jobWorkflowRef() != null && (jobWorkflow == null || !jobWorkflow.startsWith(r.jobWorkflowRef()))) {
      return mismatch("job_workflow_ref", claims, service + "'s CI runs a workflow starting " + r.jobWorkflowRef());
    }
    if (r.environment() != null && !r.environment().equals(value(claims, "environment"))) {
      return mismatch("environment", claims, service + "'s CI runs in environment " + r.environment());
    }
    if (r.claims() != null) {
      for (CiProperties.Claim c : r.claims()) {
        if (!matches(c.value(), value(claims, c.name()))) {
          return mismatch(c.name(), claims, service + "'s CI " + (c.value().contains("*") ? "matches " : "is ") + c.value());
        }
      }
    }
    return null;
  }

  private static String mismatch(String claim, Map<String, Object> claims, String expected) {
    String actual = value(claims, claim);
    return "claim " + claim + (actual == null ? " is absent" : " is " + actual) + "; " + expected;
  }

  /** Exactly, or as a pattern where {@code *} matches any characters (slashes too). */
  static boolean matches(String pattern, String value) {
    if (value == null) {
      return false;
    }
    if (!pattern.contains("*")) {
      return pattern.equals(value);
    }
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.matches(regex.toString(), value);
  }

  /** A claim as text, bounded: it goes into problem documents and log lines. */
  static String value(Map<String, Object> claims, String name) {
    Object v = claims.get(name);
    if (v == null) {
      return null;
    }
    String s = String.valueOf(v instanceof java.net.URL u ? u.toString() : v);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > 200 ? b + "…" : b.toString();
  }
}
