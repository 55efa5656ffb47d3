package dev.gantry.api;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/** Who is calling: always the authenticated principal, never a field of the body. */
public record Identity(String name, List<String> groups) {
  public static final String GROUP_PREFIX = "GROUP_";

  public static Identity of(Authentication auth) {
    List<String> groups =
        auth.getAuthorities().stream()
            .map(GrantedAuthority::getAuthority)
            .filter(a -> a.startsWith(GROUP_PREFIX))
            .map(a -> a.substring(GROUP_PREFIX.length()))
            .toList();
    return new Identity(auth.getName(), groups);
  }
}
