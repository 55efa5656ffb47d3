package dev.gantry.registry;

import dev.gantry.access.Credentials;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * HTTP to OCI distribution registries with the two auth schemes registries use: Basic, and Bearer
 * tokens from the realm a 401 names. Thread-safe; one instance serves all hosts.
 */
final class RegistryHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  // a token is dropped this long before it expires, so it cannot expire in flight
  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
  // the distribution spec's default when a token server names no lifetime
  private static final long DEFAULT_TOKEN_SECONDS = 60;
  private static final int MAX_REDIRECTS = 5;

  private final RegistrySettings settings;
  private final HttpClient client;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  RegistryHttp(RegistrySettings settings) {
    this.settings = settings;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.timeout())
            // a followed redirect would carry the Authorization header to whatever host it names
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
    HttpResponse<byte[]> response = exchange(host, request, cachedAuthorization(host, scope), body);
    if (response.statusCode() == 401) {
      Challenge challenge = Challenge.parse(response.headers().allValues("WWW-Authenticate"));
      if (challenge == null) {
        throw RegistryFailures.auth(
            "registry " + host + " answered 401 without a Basic or Bearer challenge to "
                + describe(response));
      }
      challenges.put(host, challenge);
      response = exchange(host, request, freshAuthorization(host, challenge, scope), body);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw RegistryFailures.auth(
          "registry " + host + " refused " + describe(response) + " with " + status
              + credentialHint(host) + errorText(response.body()));
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

  // saves the 401 round trip once a host's scheme is known
  private String cachedAuthorization(String host, String scope) {
    Challenge challenge = challenges.get(host);
    if (challenge == null) {
      return null;
    }
    if (challenge.isBasic()) {
      return settings.credentialsFor(host).map(RegistryHttp::basic).orElse(null);
    }
    Token token = tokens.get(tokenKey(challenge, scope));
    return token != null && token.validAt(Instant.now()) ? "Bearer " + token.value() : null;
  }

  private String freshAuthorization(String host, Challenge challenge, String scope) {
    var creds = settings.credentialsFor(host);
    if (challenge.isBasic()) {
      return creds
          .map(RegistryHttp::basic)
          .orElseThrow(
              () ->
                  RegistryFailures.auth(
                      "registry " + host + " requires basic credentials and none are configured"));
    }
    String realm = challenge.params().get("realm");
    if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
      throw RegistryFailures.auth(
          "registry " + host + " sent a Bearer challenge without a usable realm: " + realm);
    }
    // the scope the caller needs, else whatever the registry asked for
    String wanted = scope != null ? scope : challenge.params().get("scope");
    StringBuilder query = new StringBuilder();
    appendParam(query, "service", challenge.params().get("service"));
    appendParam(query, "scope", wanted);
    URI tokenUri = URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(tokenUri).GET().timeout(settings.timeout());
    creds.ifPresent(c -> builder.header("Authorization", basic(c)));
    HttpResponse<byte[]> response;
    try {
      response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw RegistryFailures.unavailable(
          "cannot reach token server " + tokenUri.getHost() + " for registry " + host + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryFailures.unavailable("interrupted while fetching a token for " + host, e);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw RegistryFailures.auth(
          "token server " + realm + " refused to issue a token for " + host
              + credentialHint(host) + " (" + status + ")" + errorText(response.body()));
    }
    if (status == 429 || status >= 500) {
      throw RegistryFailures.unavailable(
          "token server " + realm + " answered " + status + errorText(response.body()), null);
    }
    if (status != 200) {
      throw RegistryFailures.auth(
          "token server " + realm + " answered " + status + errorText(response.body()));
    }
    Token token = Token.parse(response.body(), realm);
    tokens.put(tokenKey(challenge, wanted), token);
    return "Bearer " + token.value();
  }

  private String credentialHint(String host) {
    return settings
        .credentialsFor(host)
        .map(c -> " (credentials of user " + c.username() + ")")
        .orElse(" (no credentials configured)");
  }

  private static void appendParam(StringBuilder query, String name, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    if (!query.isEmpty()) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String tokenKey(Challenge challenge, String scope) {
    return challenge.params().get("realm") + "|" + challenge.params().get("service") + "|" + scope;
  }

  private static String basic(Credentials c) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
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

  /** One parsed {@code WWW-Authenticate} challenge. */
  record Challenge(String scheme, Map<String, String> params) {
    boolean isBasic() {
      return scheme.equals("basic");
    }

    /** The first Basic or Bearer challenge among the header values, or null. */
    static Challenge parse(List<String> headers) {
      for (String header : headers) {
        Challenge c = parseOne(header);
        if (c != null) {
          return c;
        }
      }
      return null;
    }

    private static Challenge parseOne(String header) {
      String h = header.strip();
      int space = h.indexOf(' ');
      String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
      if (!scheme.equals("basic") && !scheme.equals("bearer")) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      int i = space < 0 ? h.length() : space + 1;
      while (i < h.length()) {
        while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
          i++;
        }
        int eq = h.indexOf('=', i);
        if (eq < 0) {
          break;
        }
        String key = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
        i = eq + 1;
        StringBuilder value = new StringBuilder();
        if (i < h.length() && h.charAt(i) == '"') {
          i++;
          while (i < h.length() && h.charAt(i) != '"') {
            if (h.charAt(i) == '\\' && i + 1 < h.length()) {
              i++;
            }
            value.append(h.charAt(i++));
          }
          i++;
        } else {
          while (i < h.length() && h.charAt(i) != ',') {
            value.append(h.charAt(i++));
          }
        }
        params.put(key, value.toString().strip());
      }
      return new Challenge(scheme, params);
    }
  }

  record Token(String value, Instant expires) {
    boolean validAt(Instant now) {
      return now.isBefore(expires.minus(TOKEN_MARGIN));
    }

    static Token parse(byte[] body, String realm) {
      JsonNode json;
      try {
        json = JSON.readTree(body);
      } catch (IOException e) {
        throw RegistryFailures.auth("token server " + realm + " answered with invalid JSON: " + e);
      }
      String value = text(json, "token");
      if (value == null) {
        value = text(json, "access_token");
      }
      if (value == null) {
        throw RegistryFailures.auth("token server " + realm + " answered without a token");
      }
      long seconds = json.path("expires_in").asLong(DEFAULT_TOKEN_SECONDS);
      if (seconds <= 0) {
        seconds = DEFAULT_TOKEN_SECONDS;
      }
      Instant issued = Instant.now();
      String issuedAt = text(json, "issued_at");
      if (issuedAt != null) {
        try {
          Instant claimed = Instant.parse(issuedAt);
          // a token server whose clock runs ahead must not extend the lifetime
          issued = claimed.isBefore(issued) ? claimed : issued;
        } catch (RuntimeException ignored) {
          // issued_at is optional and only narrows the lifetime
        }
      }
      return new Token(value, issued.plusSeconds(seconds));
    }

    private static String text(JsonNode json, String field) {
      JsonNode n = json.get(field);
      return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }
  }
}
