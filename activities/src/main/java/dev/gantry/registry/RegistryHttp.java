package dev.gantry.registry;

import dev.gantry.registry.RegistryAuth.Challenge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * HTTP to OCI distribution registries: answers an auth challenge once ({@link RegistryAuth}: Basic,
 * and Bearer tokens from the realm a 401 names), maps statuses and transport errors to failures,
 * follows blob redirects without the registry's Authorization header, and bounds what a body may
 * hold. Thread-safe; one instance serves all hosts.
 */
final class RegistryHttp implements AutoCloseable {
  private static final int MAX_REDIRECTS = 5;

  private final RegistrySettings settings;
  private final HttpClient client;
  private final RegistryAuth auth;

  RegistryHttp(RegistrySettings settings) {
    this.settings = settings;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.timeout())
            // a followed redirect would carry the Authorization header to whatever host it names
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.auth = new RegistryAuth(settings, client);
  }

  @Override
  public void close() {
    client.close();
  }

  URI url(String host, String path) {
    return URI.create((settings.isInsecure(host) ? "http://" : "https://") + host + path);
  }

  /**
   * Sends a request to {@code host}, answering an auth challenge once. Returns any response but
   * 401/403 (non-retryable auth failure) and 429/5xx (retryable); transport errors are retryable.
   *
   * @param scope the token scope the request needs, e.g. {@code repository:app:pull}
   * @param request builds the request afresh for each attempt
   */
  HttpResponse<byte[]> send(String host, String scope, Supplier<HttpRequest.Builder> request) {
    return send(host, scope, request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * Like {@link #send(String, String, Supplier)}, but reads at most {@code maxBody + 1} bytes of
   * each body, so a hostile registry cannot exhaust memory: a body longer than {@code maxBody}
   * shows as one of length {@code maxBody + 1}.
   */
  HttpResponse<byte[]> send(
      String host, String scope, Supplier<HttpRequest.Builder> request, long maxBody) {
    return send(host, scope, request, bounded(maxBody));
  }

  private HttpResponse<byte[]> send(
      String host,
      String scope,
      Supplier<HttpRequest.Builder> request,
      HttpResponse.BodyHandler<byte[]> body) {
    HttpResponse<byte[]> response = exchange(host, request, auth.cached(host, scope), body);
    if (response.statusCode() == 401) {
      Challenge challenge = Challenge.parse(response.headers().allValues("WWW-Authenticate"));
      if (challenge == null) {
        throw RegistryFailures.auth(
            "registry " + host + " answered 401 without a Basic or Bearer challenge to "
                + describe(response));
      }
      response = exchange(host, request, auth.answer(host, challenge, scope), body);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw RegistryFailures.auth(
          "registry " + host + " refused " + describe(response) + " with " + status
              + auth.credentialHint(host) + errorText(response.body()));
    }
    if (status == 429 || status >= 500) {
      throw RegistryFailures.unavailable(
          "registry " + host + " answered " + status + " to " + describe(response)
              + errorText(response.body()), null);
    }
    return response;
  }

  /**
   * Follows the redirects a registry answers a blob GET with (to object storage, as ECR and
   * registries on S3 do), without the registry's Authorization header: the target is another
   * host, and a presigned URL carries its own authorization. At most {@code MAX_REDIRECTS} hops,
   * never from https down to http. A response that is no redirect is returned as it is.
   */
  HttpResponse<byte[]> followRedirects(HttpResponse<byte[]> response, long maxBody) {
    HttpResponse<byte[]> current = response;
    for (int hop = 0; isRedirect(current.statusCode()); hop++) {
      if (hop == MAX_REDIRECTS) {
        throw RegistryFailures.rejected(
            "more than " + MAX_REDIRECTS + " redirects from " + describe(response));
      }
      URI from = current.request().uri();
      String location =
          current.headers().firstValue("Location").orElseThrow(
              () -> RegistryFailures.rejected(
                  "registry answered " + describe(response) + " with a redirect without Location"));
      URI to;
      try {
        to = from.resolve(location);
      } catch (IllegalArgumentException e) {
        throw RegistryFailures.rejected(
            "registry redirected " + describe(response) + " to an invalid location: " + location);
      }
      boolean allowed =
          "https".equals(to.getScheme())
              || ("http".equals(to.getScheme()) && "http".equals(from.getScheme()));
      if (!allowed || to.getHost() == null) {
        throw RegistryFailures.rejected(
            "registry redirected " + describe(response) + " to " + to.getScheme() + "://"
                + to.getHost() + ": only https (or http from an http registry) is followed");
      }
      current = exchange(to.getHost(), () -> HttpRequest.newBuilder(to).GET(), null, bounded(maxBody));
      int status = current.statusCode();
      if (status == 429 || status >= 500) {
        throw RegistryFailures.unavailable(
            "redirect target " + to.getHost() + " answered " + status + " to " + describe(current),
            null);
      }
    }
    return current;
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private HttpResponse<byte[]> exchange(
      String host,
      Supplier<HttpRequest.Builder> request,
      String authorization,
      HttpResponse.BodyHandler<byte[]> body) {
    HttpRequest.Builder builder = request.get().timeout(settings.timeout());
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    HttpRequest built = builder.build();
    try {
      return client.send(built, body);
    } catch (IOException e) {
      throw RegistryFailures.unavailable(
          "cannot reach registry " + host + " (" + built.method() + " " + built.uri() + "): " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryFailures.unavailable(
          "interrupted while calling registry " + host + " (" + built.uri() + ")", e);
    }
  }

  static String describe(HttpResponse<?> response) {
    return response.request().method() + " " + response.request().uri();
  }

  /** The registry's own error message, shortened, for failure messages. */
  static String errorText(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.length() > 300) {
      text = text.substring(0, 300) + "…";
    }
    return ": " + text;
  }

  /** Reads at most {@code maxBody + 1} bytes, then cancels the rest of the body. */
  static HttpResponse.BodyHandler<byte[]> bounded(long maxBody) {
    if (maxBody < 0) {
      throw new IllegalArgumentException("negative body limit: " + maxBody);
    }
    // byte arrays cannot be longer; the limits in use are far below this
    long keep = Math.min(maxBody, Integer.MAX_VALUE - 16L) + 1;
    return info -> new BoundedBody((int) keep);
  }

  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int keep;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int keep) {
      this.keep = keep;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int n = Math.min(item.remaining(), keep - out.size());
        byte[] chunk = new byte[n];
        item.get(chunk);
        out.writeBytes(chunk);
        if (out.size() >= keep) {
          subscription.cancel();
          result.complete(out.toByteArray());
          return;
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }
  }
}
