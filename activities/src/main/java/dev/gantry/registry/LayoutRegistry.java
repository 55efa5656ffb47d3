package dev.gantry.registry;

import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.nio.file.Path;
import java.util.List;

/** An OCI image layout directory ({@code oci:/abs/dir}) read as a registry. */
final class LayoutRegistry implements Registry {

  @Override
  public String resolve(ImageRef ref) {
    String digest = lookup(ref);
    if (digest == null) {
      boolean isDigest = Digests.isDigest(ref.reference());
      throw RegistryFailures.notFound(
          (isDigest ? "digest " : "tag ") + ref.reference() + " in " + ref.repository(), isDigest);
    }
    return digest;
  }

  @Override
  public boolean exists(ImageRef ref) {
    return lookup(ref) != null;
  }

  private static String lookup(ImageRef ref) {
    Path dir = RegistrySettings.layoutDir(ref.repository()).orElseThrow();
    OciLayout layout = OciLayout.open(dir);
    if (Digests.isDigest(ref.reference())) {
      return layout.manifest(ref.reference()) != null ? ref.reference() : null;
    }
    List<String> digests = layout.digestsTagged(ref.reference());
    if (digests.isEmpty()) {
      return null;
    }
    if (digests.size() > 1) {
      throw RegistryFailures.layout(
          "tag " + ref.reference() + " in " + dir + " names " + digests.size()
              + " different manifests: " + digests);
    }
    String digest = digests.getFirst();
    if (layout.manifest(digest) == null) {
      throw RegistryFailures.layout(
          "tag " + ref.reference() + " in " + dir + " names " + digest
              + " but no manifest blob with that digest is in the layout");
    }
    return digest;
  }
}
