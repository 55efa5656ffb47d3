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
   */
  public record Issuer(String issuer, String audience, String jwksUri, String caFile) {}

  public List<Issuer> issuers() {
    return issuers == null ? List.of() : issuers;
  }
}
