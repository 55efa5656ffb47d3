package dev.gantry.api.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;
import java.text.ParseException;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Reads {@code Authorization: Bearer}: bounded before anything parses it, and refused when its
 * header asks for anything but a signature by one of the issuer's own keys.
 */
final class BearerTokens implements AuthenticationConverter {
  /** Larger tokens are refused unread (GitHub's are about 1 KiB). */
  static final int MAX_TOKEN_BYTES = 16 * 1024;
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  /** RFC 6750's b64token. */
  private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  @Override
  public Authentication convert(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    if (header.length() - 7 > MAX_TOKEN_BYTES) {
      throw new InvalidBearerTokenException(
          "the bearer token is " + (header.length() - 7) + " bytes; Gantry reads tokens of at most " + MAX_TOKEN_BYTES + " bytes");
    }
    String token = header.substring(7).strip();
    if (!B64TOKEN.matcher(token).matches()) {
      throw new InvalidBearerTokenException("the bearer token is malformed: not a JWT (header.payload.signature in base64url)");
    }
    signed(token); // before the issuer is looked at: a token naming its own keys is refused whoever issued it
    return new BearerTokenAuthenticationToken(token);
  }

  /**
   * The token is a JWS signed with RS256 or ES256 and names no key or key location of its own:
   * keys come only from the issuer's configured JWKS, never from a URL or a key the token carries.
   */
  static SignedJWT signed(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new InvalidBearerTokenException("the bearer token is malformed: " + e.getMessage());
    }
    if (jwt instanceof PlainJWT) {
      throw new InvalidBearerTokenException("the token is unsigned (alg none); Gantry accepts RS256 or ES256 signatures only");
    }
    if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
      throw new InvalidBearerTokenException("the token is encrypted (JWE); Gantry accepts signed tokens (JWS) only");
    }
    try {
      signed.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new InvalidBearerTokenException("the bearer token is malformed: " + e.getMessage());
    }
    JWSHeader h = signed.getHeader();
    if (h.getJWKURL() != null) {
      refuseHeader("jku", "a key set URL");
    }
    if (h.getX509CertURL() != null) {
      refuseHeader("x5u", "a certificate URL");
    }
    if (h.getJWK() != null) {
      refuseHeader("jwk", "its own key");
    }
    if (h.getX509CertChain() != null) {
      refuseHeader("x5c", "its own certificate chain");
    }
    if (!ALGORITHMS.contains(h.getAlgorithm())) {
      throw new InvalidBearerTokenException(
          "the token is signed with " + h.getAlgorithm() + "; Gantry accepts RS256 or ES256 signatures only");
    }
    return signed;
  }

  private static void refuseHeader(String name, String what) {
    throw new InvalidBearerTokenException("the token's header names " + what + " (" + name
        + "); Gantry takes keys only from the issuer's configured key set and refuses such tokens");
  }
}
