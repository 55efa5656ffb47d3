package dev.gantry.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;

/**
 * Remembers, for a short while, that a user name and password verified. The API is stateless
 * HTTP Basic, so without it every request pays a bcrypt comparison (about 65 ms at strength 10 on
 * these machines), which dominated an approval's path. Only successes are remembered, keyed by an
 * HMAC under a key that lives only in this process: the cache holds no password, and a wrong
 * password always reaches the real check.
 */
final class VerifiedCredentials implements AuthenticationProvider {
  static final int MAX_ENTRIES = 10_000;

  private final AuthenticationProvider delegate;
  private final Duration ttl;
  private final Clock clock;
  private final SecretKeySpec key;
  private final Map<String, Entry> verified = new ConcurrentHashMap<>();

  private record Entry(Object principal, Collection<? extends GrantedAuthority> authorities, Instant until) {}

  VerifiedCredentials(AuthenticationProvider delegate, Duration ttl, Clock clock) {
    this.delegate = delegate;
    this.ttl = ttl;
    this.clock = clock;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  @Override
  public Authentication authenticate(Authentication authentication) throws AuthenticationException {
    if (ttl.isZero() || !(authentication.getCredentials() instanceof String password)) {
      return delegate.authenticate(authentication);
    }
    String id = id(authentication.getName(), password);
    Instant now = clock.instant();
    Entry hit = verified.get(id);
    if (hit != null && now.isBefore(hit.until())) {
      return authenticated(hit.principal(), hit.authorities(), authentication);
    }
    Authentication result = delegate.authenticate(authentication);
    if (result != null && result.isAuthenticated()) {
      if (verified.size() >= MAX_ENTRIES) {
        verified.values().removeIf(e -> !now.isBefore(e.until()));
        if (verified.size() >= MAX_ENTRIES) {
          verified.clear();
        }
      }
      verified.put(id, new Entry(result.getPrincipal(), result.getAuthorities(), now.plus(ttl)));
      return authenticated(result.getPrincipal(), result.getAuthorities(), authentication);
    }
    return result;
  }

  /** Without the password (nothing downstream needs it), with this request's details. */
  private static Authentication authenticated(
      Object principal, Collection<? extends GrantedAuthority> authorities, Authentication request) {
    UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.authenticated(principal, null, authorities);
    token.setDetails(request.getDetails());
    return token;
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return delegate.supports(authentication);
  }

  int size() {
    return verified.size();
  }

  private String id(String user, String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(user.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
