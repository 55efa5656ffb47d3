package dev.gantry.registry;

import dev.gantry.access.Credentials;
import dev.gantry.model.ImageRef;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which registries Gantry may read and how to reach them.
 *
 * @param allowed registry hosts ({@code host[:port]}) and image layout directories ({@code
 *     oci:/abs/dir}); a layout repository is allowed when its directory is an allowed one or lies
 *     under it
 * @param insecure registry hosts spoken to over plain http; every other host over https
 * @param credentials basic credentials per registry host, used directly or to obtain a token
 * @param timeout connect and request timeout of each HTTP call
 */
public record RegistrySettings(
    List<String> allowed,
    Set<String> insecure,
    Map<String, Credentials> credentials,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public RegistrySettings {
    allowed = List.copyOf(allowed == null ? List.of() : allowed);
    insecure =
        (insecure == null ? Set.<String>of() : insecure)
            .stream().map(RegistrySettings::hostKey).collect(Collectors.toUnmodifiableSet());
    credentials =
        (credentials == null ? Map.<String, Credentials>of() : credentials)
            .entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> hostKey(e.getKey()), Map.Entry::getValue));
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("registry timeout must be positive: " + timeout);
    }
  }

  /** Only these registries, over https, without credentials. */
  public static RegistrySettings allowing(String... allowed) {
    return new RegistrySettings(List.of(allowed), Set.of(), Map.of(), DEFAULT_TIMEOUT);
  }

  public RegistrySettings withInsecure(String... hosts) {
    return new RegistrySettings(allowed, Set.of(hosts), credentials, timeout);
  }

  public RegistrySettings withCredentials(String host, Credentials creds) {
    var all = new java.util.HashMap<>(credentials);
    all.put(hostKey(host), creds);
    return new RegistrySettings(allowed, insecure, all, timeout);
  }

  public RegistrySettings withTimeout(Duration timeout) {
    return new RegistrySettings(allowed, insecure, credentials, timeout);
  }

  public boolean isInsecure(String host) {
    return insecure.contains(hostKey(host));
  }

  public Optional<Credentials> credentialsFor(String host) {
    return Optional.ofNullable(credentials.get(hostKey(host)));
  }

  /** Whether the registry of {@code ref} is in the allow-list. Touches neither network nor disk. */
  public boolean isAllowed(ImageRef ref) {
    if (ref.layout()) {
      Optional<Path> dir = layoutDir(ref.repository());
      if (dir.isEmpty()) {
        return false;
      }
      return allowed.stream()
          .filter(a -> a.startsWith(ImageRef.LAYOUT_PREFIX))
          .map(RegistrySettings::layoutDir)
          .flatMap(Optional::stream)
          .anyMatch(a -> dir.get().startsWith(a));
    }
    String host = hostKey(ref.registry());
    return !host.isEmpty()
        && allowed.stream()
            .filter(a -> !a.startsWith(ImageRef.LAYOUT_PREFIX))
            .anyMatch(a -> hostKey(a).equals(host));
  }

  /**
   * The normalized absolute directory of an {@code oci:} entry; empty when it is relative or not a
   * path, so a relative entry can never match by accident of the working directory.
   */
  static Optional<Path> layoutDir(String entry) {
    if (!entry.startsWith(ImageRef.LAYOUT_PREFIX)) {
      return Optional.empty();
    }
    try {
      Path p = Path.of(entry.substring(ImageRef.LAYOUT_PREFIX.length()));
      return p.isAbsolute() ? Optional.of(p.normalize()) : Optional.empty();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  // host names are case-insensitive; a trailing slash in configuration is a common slip
  static String hostKey(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    while (h.endsWith("/")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }
}
