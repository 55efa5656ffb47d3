package dev.gantry.api.identity;

import org.springframework.security.core.AuthenticationException;

/** A verified token whose claims no service's CI rules accept: answered 403, naming the claim. */
final class CiNotTrusted extends AuthenticationException {
  CiNotTrusted(String why) {
    super(why);
  }
}
