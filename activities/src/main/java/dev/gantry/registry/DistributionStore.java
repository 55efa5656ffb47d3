package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A repository of an OCI distribution registry, for attachments. */
final class DistributionStore implements ArtifactStore {
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

  private final ImageRef ref;
  private final RegistryHttp http;
  private final String scope;
  private final OciImageWriter.Pusher pusher;

  DistributionStore(ImageRef ref, RegistryHttp http, boolean write) {
    this.ref = ref;
    this.http = http;
    this.scope = write ? "repository:" + ref.name() + ":pull,push" : DistributionRegistry.pullScope(ref);
    this.pusher = write ? new OciImageWriter.Pusher(http, ref) : null;
  }

  @Override
  public String kind() {
    return "registry";
  }

  @Override
  public String where() {
    return ref.repository();
  }

  private URI url(String suffix) {
    return http.url(ref.registry(), "/v2/" + ref.name() + suffix);
  }

  private HttpResponse<byte[]> get(URI uri, String accept, long maxBytes) {
    return http.send(
        ref.registry(),
        scope,
        () -> {
          HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
          return accept == null ? b : b.header("Accept", accept);
        },
        maxBytes);
  }

  @Override
  public Manifest manifest(String reference, int maxBytes) {
    HttpResponse<byte[]> response = get(url("/manifests/" + reference), OciMedia.ACCEPT, maxBytes);
    if (response.statusCode() == 404) {
      return null;
    }
    expect(response, 200);
    String what = "manifest " + reference + " in " + where();
    byte[] body = response.body();
    if (body.length > maxBytes) {
      throw RegistryFailures.attachment(what + " is larger than the limit of " + maxBytes + " bytes");
    }
    String digest = OciMedia.sha256(body);
    if (Digests.isDigest(reference) && !reference.equals(digest)) {
      throw RegistryFailures.attachment(
          what + " does not match its digest: the registry's content hashes to " + digest);
    }
    String claimed = response.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (Digests.isDigest(claimed) && !claimed.equals(digest)) {
      throw RegistryFailures.attachment(
          what + ": the registry says its digest is " + claimed + " but the content hashes to " + digest);
    }
    JsonNode json = OciJson.tree(body, what);
    if (!OciMedia.isManifest(json)) {
      throw RegistryFailures.attachment(what + " (" + digest + ") is not an image manifest or index");
    }
    return new Manifest(body, digest, OciMedia.mediaTypeOf(json), json);
  }

  @Override
  public byte[] blob(Descriptor descriptor, long maxBytes) {
    String what = "blob " + descriptor.digest() + " in " + where();
    if (descriptor.size() > maxBytes) {
      throw RegistryFailures.attachment(
          what + " is " + descriptor.size() + " bytes, over the limit of " + maxBytes);
    }
    HttpResponse<byte[]> response =
        http.followRedirects(get(url("/blobs/" + descriptor.digest()), null, maxBytes), maxBytes);
    if (response.statusCode() == 404) {
      throw RegistryFailures.attachment(what + " is listed by a manifest but missing from the registry");
    }
    expect(response, 200);
    return AttachmentRules.checkBlob(response.body(), descriptor, maxBytes, what);
  }

  @Override
  public List<Descriptor> referrers(String digest, Attachments.Limits limits) {
    URI next = url("/referrers/" + digest);
    List<Descriptor> all = new ArrayList<>();
    // pages are bounded by the referrer limit: every page must bring at least one more
    for (int page = 0; next != null; page++) {
      URI uri = next;
      HttpResponse<byte[]> response = get(uri, OciMedia.OCI_INDEX, limits.maxManifestBytes());
      if (response.statusCode() == 404) {
        if (page == 0) {
          return null;
        }
        throw RegistryFailures.attachment(
            "referrers page " + uri + " named by the registry's Link header is not found");
      }
      expect(response, 200);
      String what = "referrers list of " + digest + " in " + where();
      if (response.body().length > limits.maxManifestBytes()) {
        throw RegistryFailures.attachment(
            what + " is larger than the limit of " + limits.maxManifestBytes() + " bytes");
      }
      JsonNode index = OciJson.tree(response.body(), what);
      if (!index.path("manifests").isArray()) {
        throw RegistryFailures.attachment(what + " is not an image index with manifests");
      }
      int before = all.size();
      AttachmentRules.addDescriptors(all, index, what, limits);
      next = nextPage(response);
      if (next != null && all.size() == before) {
        throw RegistryFailures.attachment(what + " has an empty page that links to another");
      }
    }
    return all;
  }

  // the distribution spec pages with a Link header; only the registry itself may be named
  private URI nextPage(HttpResponse<byte[]> response) {
    String link = response.headers().firstValue("Link").orElse(null);
    if (link == null) {
      return null;
    }
    Matcher m = NEXT_LINK.matcher(link);
    if (!m.find()) {
      return null;
    }
    URI from = response.request().uri();
    URI next;
    try {
      next = from.resolve(m.group(1));
    } catch (IllegalArgumentException e) {
      throw RegistryFailures.attachment("registry sent an invalid referrers Link: " + link);
    }
    if (!from.getScheme().equals(next.getScheme())
        || !from.getRawAuthority().equals(next.getRawAuthority())
        || !next.getRawPath().startsWith("/v2/" + ref.name() + "/referrers/")) {
      throw RegistryFailures.attachment(
          "registry's referrers Link points outside its referrers API: " + next);
    }
    return next;
  }

  @Override
  public void putBlob(byte[] content) {
    writer().blob(content, OciMedia.sha256(content));
  }

  @Override
  public boolean putManifest(String tag, byte[] content, Descriptor descriptor) {
    HttpResponse<byte[]> put =
        writer().manifest(tag == null ? descriptor.digest() : tag, content, descriptor.mediaType());
    return put.headers().firstValue("OCI-Subject").isPresent();
  }

  private OciImageWriter.Pusher writer() {
    if (pusher == null) {
      throw new IllegalStateException("store opened for reading");
    }
    return pusher;
  }

  private static void expect(HttpResponse<byte[]> response, int status) {
    if (response.statusCode() != status) {
      throw RegistryFailures.rejected(
          "registry answered " + response.statusCode() + " to " + RegistryHttp.describe(response)
              + RegistryHttp.errorText(response.body()));
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
