package dev.gantry.api.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * The configured OIDC issuers, each with its own verifier: keys from the issuer's JWKS (its
 * discovery document's {@code jwks_uri} unless configured), fetched on first use, cached, refreshed
 * on an unknown {@code kid} (at most every 30 s), never from a location the token names. An issuer
 * not configured is refused before anything is fetched. Handed to Spring's {@code
 * JwtIssuerAuthenticationManagerResolver}, which reads the token's {@code iss} to pick one.
 */
final class TrustedIssuers implements AuthenticationManagerResolver<String> {
  static final Duration MAX_SKEW = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TIMEOUT_MS = 5_000;
  private static final int MAX_DOCUMENT_BYTES = 256 * 1024;

  private final Map<String, Issuer> issuers = new LinkedHashMap<>();
  private final Converter<Jwt, AbstractAuthenticationToken> principal;

  TrustedIssuers(OidcProperties props, Duration skew, Clock clock, Converter<Jwt, AbstractAuthenticationToken> principal) {
    this.principal = principal;
    for (int i = 0; i < props.issuers().size(); i++) {
      OidcProperties.Issuer c = props.issuers().get(i);
      String where = "gantry.auth.oidc.issuers[" + i + "]";
      require(c != null && c.issuer() != null && c.issuer().startsWith("https://"), where + ": issuer must be an https URL, as tokens name it in iss");
      require(c.audience() != null && !c.audience().isBlank(), where + " (" + c.issuer() + "): audience is required: the aud its tokens must name");
      require(c.jwksUri() == null || c.jwksUri().startsWith("https://"), where + " (" + c.issuer() + "): jwks-uri must be an https URL");
      require(!issuers.containsKey(c.issuer()), where + ": issuer " + c.issuer() + " is configured twice");
      issuers.put(c.issuer(), new Issuer(c, sslContext(c, where), skew, clock));
    }
  }

  java.util.Set<String> names() {
    return issuers.keySet();
  }

  @Override
  public AuthenticationManager resolve(String iss) {
    Issuer issuer = issuers.get(iss);
    if (issuer == null) {
      return token -> {
        throw new InvalidBearerTokenException("the token's issuer " + CiRules.value(Map.of("iss", iss), "iss") + " is not one this Gantry trusts");
      };
    }
    return token -> principal.convert(issuer.verify(((BearerTokenAuthenticationToken) token).getToken()));
  }

  /** One trusted issuer; its key source is set up on first use, and again after a failed discovery. */
  private static final class Issuer {
    private final OidcProperties.Issuer config;
    private final SSLContext tls;
    private final OAuth2TokenValidator<Jwt> validator;
    private NimbusJwtDecoder decoder;
    private Instant failedAt;
    private String failure;

    Issuer(OidcProperties.Issuer config, SSLContext tls, Duration skew, Clock clock) {
      this.config = config;
      this.tls = tls;
      this.validator = new Claims(config.issuer(), config.audience(), skew, clock);
    }

    Jwt verify(String token) {
      BearerTokens.signed(token);
      try {
        return decoder().decode(token);
      } catch (JwtValidationException e) {
        throw new InvalidBearerTokenException(e.getErrors().stream().map(OAuth2Error::getDescription).collect(Collectors.joining("; ")));
      } catch (BadJwtException e) {
        String why = e.getMessage().replaceFirst("^An error occurred while attempting to decode the Jwt: ", "");
        if (why.contains("no matching key")) {
          why = "the token is not signed by a key of its issuer " + config.issuer();
        }
        throw new InvalidBearerTokenException(why);
      } catch (JwtException e) {
        if (causedBy(e, RateLimitReachedException.class)) {
          throw new InvalidBearerTokenException("the token is not signed by a key of its issuer " + config.issuer() + " (its keys were fetched again moments ago)");
        }
        throw new AuthenticationServiceException("the keys of issuer " + config.issuer() + " could not be fetched: " + e.getMessage(), e);
      }
    }

    private synchronized NimbusJwtDecoder decoder() {
      if (decoder != null) {
        return decoder;
      }
      if (failedAt != null && failedAt.plusSeconds(10).isAfter(Instant.now())) {
        throw new AuthenticationServiceException(failure);
      }
      try {
        URL jwks = URI.create(config.jwksUri() != null ? config.jwksUri() : discover()).toURL();
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, MAX_DOCUMENT_BYTES, true, tls.getSocketFactory());
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwks, retriever).build();
        NimbusJwtDecoder d = NimbusJwtDecoder.withJwkSource(keys)
            .jwsAlgorithms(a -> {
              a.clear();
              a.add(SignatureAlgorithm.RS256);
              a.add(SignatureAlgorithm.ES256);
            })
            .build();
        d.setJwtValidator(validator);
        decoder = d;
        return d;
      } catch (IOException | RuntimeException e) {
        failedAt = Instant.now();
        failure = "issuer " + config.issuer() + " could not be reached for its keys: " + e.getMessage();
        throw new AuthenticationServiceException(failure, e);
      }
    }

    /** The issuer's discovery document names its JWKS; it must name the issuer itself, too. */
    private String discover() throws IOException {
      String url = config.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
      HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofMillis(TIMEOUT_MS))
          .followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<InputStream> r;
      try {
        r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(TIMEOUT_MS)).header("Accept", "application/json").build(),
            HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      byte[] body;
      try (InputStream in = r.body()) {
        body = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
      }
      if (r.statusCode() != 200) {
        throw new IOException(url + " answered " + r.statusCode());
      }
      if (body.length > MAX_DOCUMENT_BYTES) {
        throw new IOException(url + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
      }
      JsonNode doc = JSON.readTree(body);
      if (!config.issuer().equals(doc.path("issuer").asText(null))) {
        throw new IOException(url + " names issuer " + doc.path("issuer").asText(null) + ", not " + config.issuer());
      }
      String jwks = doc.path("jwks_uri").asText("");
      if (!jwks.startsWith("https://")) {
        throw new IOException(url + " names no https jwks_uri");
      }
      return jwks;
    }
  }

  /** exp (required), nbf and iat within the clock skew; iss, aud and jti as Gantry needs them. */
  private record Claims(String issuer, String audience, Duration skew, Clock clock) implements OAuth2TokenValidator<Jwt> {
    @Override
    public OAuth2TokenValidatorResult validate(Jwt jwt) {
      Instant now = clock.instant();
      if (jwt.getExpiresAt() == null) {
        return fail("the token has no expiry (exp)");
      }
      if (now.minus(skew).isAfter(jwt.getExpiresAt())) {
        return fail("the token expired at " + jwt.getExpiresAt() + " (now " + now + ", clock skew " + skew.toSeconds() + " s)");
      }
      if (jwt.getNotBefore() != null && now.plus(skew).isBefore(jwt.getNotBefore())) {
        return fail("the token is not valid before " + jwt.getNotBefore() + " (now " + now + ", clock skew " + skew.toSeconds() + " s)");
      }
      if (jwt.getIssuedAt() != null && now.plus(skew).isBefore(jwt.getIssuedAt())) {
        return fail("the token is issued in the future, at " + jwt.getIssuedAt() + " (now " + now + ")");
      }
      if (!issuer.equals(jwt.getClaimAsString("iss"))) {
        return fail("the token's issuer is not " + issuer);
      }
      List<String> aud = jwt.getAudience();
      if (aud == null || !aud.contains(audience)) {
        return fail("the token's audience " + (aud == null ? "is absent" : "is " + CiRules.value(Map.of("aud", aud), "aud")) + "; this Gantry's is " + audience);
      }
      if (jwt.getId() == null || jwt.getId().isBlank()) {
        return fail("the token has no jti: Gantry remembers each token's jti so that it cannot be replayed");
      }
      return OAuth2TokenValidatorResult.success();
    }

    private static OAuth2TokenValidatorResult fail(String why) {
      return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", why, null));
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** The JVM's trust store, or only the issuer's configured CA certificates. */
  private static SSLContext sslContext(OidcProperties.Issuer c, String where) {
    try {
      if (c.caFile() == null) {
        return SSLContext.getDefault();
      }
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(Path.of(c.caFile()))) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      require(!certs.isEmpty(), where + " (" + c.issuer() + "): ca-file " + c.caFile() + " holds no certificate");
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate cert : certs) {
        store.setCertificateEntry("ca-" + n++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return tls;
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(where + " (" + c.issuer() + "): cannot read ca-file " + c.caFile() + ": " + e.getMessage(), e);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
