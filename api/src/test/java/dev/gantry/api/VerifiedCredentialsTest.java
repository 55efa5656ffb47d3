package dev.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

class VerifiedCredentialsTest {
  private final PasswordEncoder passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  private final AtomicInteger checks = new AtomicInteger();

  private VerifiedCredentials provider(Duration ttl) {
    InMemoryUserDetailsManager users = new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{bcrypt}" + new BCryptPasswordEncoder(4).encode("s3cret")).authorities("group:approvers").build(),
        User.withUsername("bob").password("{noop}bob").authorities("ROLE_oncall").build());
    DaoAuthenticationProvider dao = new DaoAuthenticationProvider(users);
    dao.setPasswordEncoder(passwords);
    AuthenticationProvider counting = new AuthenticationProvider() {
      @Override
      public Authentication authenticate(Authentication a) {
        checks.incrementAndGet();
        return dao.authenticate(a);
      }

      @Override
      public boolean supports(Class<?> type) {
        return dao.supports(type);
      }
    };
    return new VerifiedCredentials(counting, ttl, clock);
  }

  private static UsernamePasswordAuthenticationToken basic(String user, String password) {
    return UsernamePasswordAuthenticationToken.unauthenticated(user, password);
  }

  @Test
  void aVerifiedPasswordIsCheckedOnceWithinTheTtlAndTheResultCarriesNoPassword() {
    VerifiedCredentials p = provider(Duration.ofMinutes(5));
    UsernamePasswordAuthenticationToken request1 = basic("alice", "s3cret");
    request1.setDetails("request 1 from 10.0.0.1");
    UsernamePasswordAuthenticationToken request2 = basic("alice", "s3cret");
    request2.setDetails("request 2 from 10.0.0.2");
    Authentication first = p.authenticate(request1);
    Authentication second = p.authenticate(request2);
    // each request keeps its own details (remote address): only the verification is shared
    assertThat(first.getDetails()).isEqualTo("request 1 from 10.0.0.1");
    assertThat(second.getDetails()).isEqualTo("request 2 from 10.0.0.2");
    assertThat(checks).hasValue(1);
    assertThat(second.isAuthenticated()).isTrue();
    assertThat(second.getName()).isEqualTo("alice");
    assertThat(second.getCredentials()).isNull();
    assertThat(first.getCredentials()).isNull();
    assertThat(second).isNotSameAs(first);
    assertThat(second.getAuthorities()).extracting(GrantedAuthority::getAuthority).contains("group:approvers").doesNotContain("ROLE_oncall");
  }

  @Test
  void aWrongPasswordIsAlwaysCheckedAndRefusedEvenRightAfterTheRightOne() {
    VerifiedCredentials p = provider(Duration.ofMinutes(5));
    p.authenticate(basic("alice", "s3cret"));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> p.authenticate(basic("alice", "s3cret "))).isInstanceOf(BadCredentialsException.class);
      assertThatThrownBy(() -> p.authenticate(basic("alice", "S3cret"))).isInstanceOf(BadCredentialsException.class);
    }
    assertThat(checks).hasValue(7);
    assertThat(p.size()).isEqualTo(1);
  }

  @Test
  void anotherUserWithTheSamePasswordIsNotTakenForTheFirst() {
    VerifiedCredentials p = provider(Duration.ofMinutes(5));
    p.authenticate(basic("bob", "bob"));
    assertThatThrownBy(() -> p.authenticate(basic("alice", "bob"))).isInstanceOf(BadCredentialsException.class);
    // the user name and password are kept apart in the key: "bo" + "bbob" is not "bob" + "bob"
    assertThatThrownBy(() -> p.authenticate(basic("bo", "bbob"))).isInstanceOf(BadCredentialsException.class);
  }

  @Test
  void afterTheTtlThePasswordIsCheckedAgain() {
    VerifiedCredentials p = provider(Duration.ofMinutes(5));
    p.authenticate(basic("bob", "bob"));
    clock.advance(Duration.ofMinutes(4));
    p.authenticate(basic("bob", "bob"));
    assertThat(checks).hasValue(1);
    clock.advance(Duration.ofMinutes(1));
    p.authenticate(basic("bob", "bob"));
    assertThat(checks).hasValue(2);
  }

  @Test
  void aZeroTtlChecksEveryTime() {
    VerifiedCredentials p = provider(Duration.ZERO);
    p.authenticate(basic("bob", "bob"));
    p.authenticate(basic("bob", "bob"));
    assertThat(checks).hasValue(2);
    assertThat(p.size()).isZero();
  }

  @Test
  void theCacheStaysBounded() {
    InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
    DaoAuthenticationProvider dao = new DaoAuthenticationProvider(users);
    dao.setPasswordEncoder(passwords);
    for (int i = 0; i <= VerifiedCredentials.MAX_ENTRIES; i++) {
      users.createUser(User.withUsername("u" + i).password("{noop}p").authorities("ROLE_ci").build());
    }
    VerifiedCredentials p = new VerifiedCredentials(dao, Duration.ofMinutes(5), clock);
    for (int i = 0; i <= VerifiedCredentials.MAX_ENTRIES; i++) {
      p.authenticate(basic("u" + i, "p"));
    }
    assertThat(p.size()).isLessThanOrEqualTo(VerifiedCredentials.MAX_ENTRIES);
    assertThat(p.authenticate(basic("u0", "p")).isAuthenticated()).isTrue();
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
