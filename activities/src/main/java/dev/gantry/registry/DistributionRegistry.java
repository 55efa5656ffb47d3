package dev.gantry.registry;

import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A registry speaking the OCI distribution API over HTTP(S). */
final class DistributionRegistry implements Registry {
  private final RegistryHttp http;

  DistributionRegistry(RegistryHttp http) {
    this.http = http;
  }

  static String pullScope(ImageRef ref) {
    return "repository:" + ref.name() + ":pull";
  }

  @Override
  public String resolve(ImageRef ref) {
    String digest = lookup(ref);
    if (digest == null) {
      throw RegistryFailures.notFound(what(ref) + " in " + ref.repository(), isDigest(ref));
    }
    return digest;
  }

  @Override
  public boolean exists(ImageRef ref) {
    return lookup(ref) != null;
  }

  /** The manifest digest, or null when the registry does not have it. */
  private String lookup(ImageRef ref) {
    URI uri = http.url(ref.registry(), "/v2/" + ref.name() + "/manifests/" + ref.reference());
    HttpResponse<byte[]> head =
        http.send(
            ref.registry(),
            pullScope(ref),
            () ->
                HttpRequest.newBuilder(uri)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept", OciMedia.ACCEPT));
    if (head.statusCode() == 404) {
      return null;
    }
    if (head.statusCode() == 200) {
      String header = head.headers().firstValue("Docker-Content-Digest").orElse(null);
      if (Digests.isDigest(header)) {
        return checked(ref, header, head);
      }
    } else if (head.statusCode() != 405) {
      throw unexpected(head);
    }
    // no usable digest header (or no HEAD support): hash the manifest ourselves
    HttpResponse<byte[]> get =
        http.send(
            ref.registry(),
            pullScope(ref),
            () -> HttpRequest.newBuilder(uri).GET().header("Accept", OciMedia.ACCEPT));
    if (get.statusCode() == 404) {
      return null;
    }
    if (get.statusCode() != 200) {
      throw unexpected(get);
    }
    if (get.body().length > OciMedia.MAX_MANIFEST_BYTES) {
      throw RegistryFailures.rejected(
          "manifest " + ref + " is larger than " + OciMedia.MAX_MANIFEST_BYTES + " bytes");
    }
    return checked(ref, OciMedia.sha256(get.body()), get);
  }

  // a registry answering a digest request with other content is broken or hostile
  private static String checked(ImageRef ref, String digest, HttpResponse<?> response) {
    if (isDigest(ref) && !ref.reference().equals(digest)) {
      throw RegistryFailures.rejected(
          "registry answered " + RegistryHttp.describe(response) + " with content of digest "
              + digest);
    }
    return digest;
  }

  private static RuntimeException unexpected(HttpResponse<byte[]> response) {
    return RegistryFailures.rejected(
        "registry answered " + response.statusCode() + " to " + RegistryHttp.describe(response)
            + RegistryHttp.errorText(response.body()));
  }

  private static boolean isDigest(ImageRef ref) {
    return Digests.isDigest(ref.reference());
  }

  private static String what(ImageRef ref) {
    return (isDigest(ref) ? "digest " : "tag ") + ref.reference();
  }
}
