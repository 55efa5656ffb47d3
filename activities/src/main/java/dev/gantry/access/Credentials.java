package dev.gantry.access;

import java.util.Objects;

/** Basic credentials for a registry or a git remote; the password never appears in {@link #toString()}. */
public record Credentials(String username, String password) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
