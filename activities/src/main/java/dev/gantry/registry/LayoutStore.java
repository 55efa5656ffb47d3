package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image layout directory, for attachments. Tags are {@code index.json} entries with {@code
 * org.opencontainers.image.ref.name}; referrers are the manifests {@code index.json} lists whose
 * {@code subject} is the image (as ORAS and cosign store them in layouts).
 */
final class LayoutStore implements ArtifactStore {
  private final Path dir;
  private final OciLayout layout;

  LayoutStore(ImageRef ref) {
    this.dir = RegistrySettings.layoutDir(ref.repository()).orElseThrow();
    this.layout = OciLayout.open(dir);
  }

  @Override
  public String kind() {
    return "layout";
  }

  @Override
  public String where() {
    return dir.toString();
  }

  @Override
  public Manifest manifest(String reference, int maxBytes) {
    String digest = reference;
    if (!Digests.isDigest(reference)) {
      List<String> tagged = layout.digestsTagged(reference);
      if (tagged.isEmpty()) {
        return null;
      }
      if (tagged.size() > 1) {
        throw RegistryFailures.attachment(
            "tag " + reference + " in " + dir + " names " + tagged.size() + " different manifests: "
                + tagged);
      }
      digest = tagged.getFirst();
    }
    String what = "manifest " + digest + (digest.equals(reference) ? "" : " (tag " + reference + ")")
        + " in " + dir;
    byte[] bytes = read(digest, maxBytes, what);
    if (bytes == null) {
      if (digest.equals(reference)) {
        return null;
      }
      throw RegistryFailures.attachment(
          "tag " + reference + " in " + dir + " names " + digest + " but the layout has no such blob");
    }
    JsonNode json = OciJson.tree(bytes, what);
    if (!OciMedia.isManifest(json)) {
      throw RegistryFailures.attachment(what + " is not an image manifest or index");
    }
    return new Manifest(bytes, digest, OciMedia.mediaTypeOf(json), json);
  }

  @Override
  public byte[] blob(Descriptor descriptor, long maxBytes) {
    String what = "blob " + descriptor.digest() + " in " + dir;
    if (descriptor.size() > maxBytes) {
      throw RegistryFailures.attachment(
          what + " is " + descriptor.size() + " bytes, over the limit of " + maxBytes);
    }
    byte[] bytes = read(descriptor.digest(), maxBytes, what);
    if (bytes == null) {
      throw RegistryFailures.attachment(what + " is listed by a manifest but missing from the layout");
    }
    return AttachmentRules.checkBlob(bytes, descriptor, maxBytes, what);
  }

  // at most maxBytes + 1 bytes, so an oversized blob is refused without reading it whole
  private byte[] read(String digest, long maxBytes, String what) {
    Path blob = layout.blob(digest);
    try (InputStream in = Files.newInputStream(blob)) {
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16L));
      if (bytes.length > maxBytes) {
        throw RegistryFailures.attachment(what + " is larger than the limit of " + maxBytes + " bytes");
      }
      if (!OciMedia.sha256(bytes).equals(digest)) {
        throw RegistryFailures.attachment(
            what + " does not match its digest: its content hashes to " + OciMedia.sha256(bytes));
      }
      return bytes;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw RegistryFailures.layout("cannot read " + blob + ": " + e);
    }
  }

  @Override
  public List<Descriptor> referrers(String digest, Attachments.Limits limits) {
    List<Descriptor> found = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (JsonNode entry : layout.entries()) {
      Descriptor d = Descriptor.parse(entry, dir.resolve(OciLayout.INDEX_FILE) + " entry");
      // only untagged image manifests can be referrers; tags and indexes are read elsewhere
      if (!d.mediaType().equals(OciMedia.OCI_MANIFEST)
          || d.annotation(OciMedia.REF_NAME) != null
          || d.digest().equals(digest)
          || seen.contains(d.digest())) {
        continue;
      }
      seen.add(d.digest());
      Manifest m = manifest(d.digest(), limits.maxManifestBytes());
      if (m != null && digest.equals(m.json().path("subject").path("digest").asText(null))) {
        found.add(d);
        if (found.size() > limits.maxReferrers()) {
          throw RegistryFailures.attachment(
              dir + " holds more than " + limits.maxReferrers() + " referrers of " + digest);
        }
      }
    }
    return found;
  }

  @Override
  public void putBlob(byte[] content) {
    layout.writeBlob(content);
  }

  @Override
  public boolean putManifest(String tag, byte[] content, Descriptor descriptor) {
    layout.writeBlob(content);
    if (tag != null) {
      layout.tag(tag, descriptor.mediaType(), descriptor.digest(), descriptor.size());
    } else {
      ObjectNode entry = descriptor.toJson();
      layout.add(entry);
    }
    return true;
  }

  @Override
  public void close() {}
}
