package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.access.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two auth schemes registries use: Basic with the configured credentials, and Bearer tokens
 * from the token server (realm) a 401 challenge names, requested for the scope a call needs and
 * kept until shortly before they expire. Remembers each host's scheme, so later calls send their
 * Authorization header at once. Thread-safe; one instance serves all hosts.
 */
final class RegistryAuth {
  private static final ObjectMapper JSON = new ObjectMapper();
  // a token is dropped this long before it expires, so it cannot expire in flight
  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
  // the distribution spec's default when a token server names no lifetime
  private static final long DEFAULT_TOKEN_SECONDS = 60;

  private final RegistrySettings settings;
  private final HttpClient client;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  /** @param client the registry client; token requests go through it too */
  RegistryAuth(RegistrySettings settings, HttpClient client) {
    this.settings = settings;
    this.client = client;
  }

  /**
   * The Authorization header the host's known scheme gives without a round trip (Basic, or a
   * Bearer token for this scope that is still valid); null when none is known yet. Saves the 401
   * round trip once a host's scheme is known.
   */
  String cached(String host, String scope) {
    Challenge challenge = challenges.get(host);
    if (challenge == null) {
      return null;
    }
    if (challenge.isBasic()) {
      return settings.credentialsFor(host).map(RegistryAuth::basic).orElse(null);
    }
    Token token = tokens.get(tokenKey(challenge, scope));
    return token != null && token.validAt(Instant.now()) ? "Bearer " + token.value() : null;
  }

  /**
   * Answers the host's 401 challenge: remembers its scheme and returns the Authorization header
   * for it, Basic from the configured credentials or a Bearer token the challenge's realm issues.
   */
  String answer(String host, Challenge challenge, String scope) {
    challenges.put(host, challenge);
    return freshAuthorization(host, challenge, scope);
  }

  private String freshAuthorization(String host, Challenge challenge, String scope) {
    var creds = settings.credentialsFor(host);
    if (challenge.isBasic()) {
      return creds
          .map(RegistryAuth::basic)
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
              + credentialHint(host) + " (" + status + ")" + RegistryHttp.errorText(response.body()));
    }
    if (status == 429 || status >= 500) {
      throw RegistryFailures.unavailable(
          "token server " + realm + " answered " + status + RegistryHttp.errorText(response.body()), null);
    }
    if (status != 200) {
      throw RegistryFailures.auth(
          "token server " + realm + " answered " + status + RegistryHttp.errorText(response.body()));
    }
    Token token = Token.parse(response.body(), realm);
    tokens.put(tokenKey(challenge, wanted), token);
    return "Bearer " + token.value();
  }

  /** Whose credentials a refusal was for, for failure messages. */
  String credentialHint(String host) {
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
