package dev.gantry.registry;

import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.util.regex.Pattern;

/** Syntax checks of image references, done before anything is sent or read. */
final class References {
  // distribution's reference grammar: path components joined by '/'
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern HOST =
      Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
  private static final int MAX_NAME = 255;

  private References() {}

  /** Fails with a non-retryable {@code InvalidReference} unless {@code ref} is well formed. */
  static void validate(ImageRef ref) {
    String reference = ref.reference();
    if (!Digests.isDigest(reference) && !Digests.isTag(reference)) {
      throw RegistryFailures.invalid(
          "'" + reference + "' in " + ref.repository()
              + " is neither a tag nor a sha256 digest (sha256:<64 lowercase hex>)");
    }
    if (ref.layout()) {
      if (RegistrySettings.layoutDir(ref.repository()).isEmpty()) {
        throw RegistryFailures.invalid(
            "image layout reference " + ref.repository() + " must name an absolute directory");
      }
      return;
    }
    if (!HOST.matcher(ref.registry()).matches()) {
      throw RegistryFailures.invalid("'" + ref.registry() + "' is not a registry host[:port]");
    }
    String name = ref.name();
    if (name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw RegistryFailures.invalid(
          "'" + name + "' is not a repository name (lowercase path components) in "
              + ref.repository());
    }
  }
}
