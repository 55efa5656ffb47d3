package dev.gantry.api.identity;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gantry.auth.oidc}: the OIDC issuers whose tokens Gantry accepts as {@code Authorization:
 * Bearer}. Only these: a token naming any other issuer is refused before any key is looked up.
 *
 * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}; default and maximum 60 s
 */
@ConfigurationProperties("gantry.auth.oidc")
public record OidcProperties(List<Issuer> issuers, Duration clockSkew) {

  /**
   * @param issuer the issuer URL, exactly as tokens name it in {@code iss} (https)
   * @param audience the {@code aud} a token must name (required: e.g. GitHub's {@code
   *     getIDToken(audience)})
   * @param jwksUri where its keys are; default: the {@code jwks_uri} of {@code
   *     <issuer>/.well-known/openid-configuration}
   * @param caFile PEM certificates the issuer's TLS certificate must chain to, instead of the JVM's
   *     trust store (a private CA, or a test issuer)
   * @param kind {@code ci} (default: a CI run's token, held to {@code services[].ci}) or {@code
   *     people} (a person's token from the single sign-on provider, groups mapped by {@code
   *     gantry.auth.groups})
   * @param groupsClaim for people: the claim holding their groups; a dotted path reaches into
   *     objects ({@code realm_access.roles}); default {@code groups}
   * @param usernameClaim for people: the claim naming them in approvals; default {@code
   *     preferred_username} (the subject when absent)
   */
  public record Issuer(String issuer, String audience, String jwksUri, String caFile, String kind, String groupsClaim, String usernameClaim) {
    public boolean people() {
      return "people".equals(kind);
    }

    public String groupsClaim() {
      return groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
    }

    public String usernameClaim() {
      return usernameClaim == null || usernameClaim.isBlank() ? "preferred_username" : usernameClaim;
    }
  }

  public List<Issuer> issuers() {
    return issuers == null ? List.of() : issuers;
  }
}
