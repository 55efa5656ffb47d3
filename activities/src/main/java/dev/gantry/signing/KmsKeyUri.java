package dev.gantry.signing;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An AWS KMS key named as cosign names it ({@code cosign sign --key awskms:///…}, sigstore's {@code
 * pkg/signature/kms/aws}): {@code awskms://[ENDPOINT]/KEY}, where KEY is a key id (a UUID, or
 * {@code mrk-…} for a multi-Region key), a key ARN, an alias name ({@code alias/NAME}) or an alias
 * ARN, and ENDPOINT an optional {@code host[:port]} that cosign speaks HTTPS to.
 *
 * @param endpoint {@code host[:port]} from the URI; null when the URI has none ({@code awskms:///…})
 * @param key what KMS calls the {@code KeyId}: the id, ARN or alias exactly as written
 * @param kind which of the four forms {@code key} is
 * @param region the Region an ARN names; null for key ids and alias names
 */
public record KmsKeyUri(String endpoint, String key, Kind kind, String region) {
  public static final String SCHEME = "awskms://";

  public enum Kind { KEY_ID, KEY_ARN, ALIAS_NAME, ALIAS_ARN }

  private static final String FORMS =
      "expected awskms:///KEY or awskms://HOST[:PORT]/KEY, KEY a key id (1234abcd-12ab-34cd-56ef-1234567890ab),"
          + " a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), an alias (alias/NAME) or an alias ARN"
          + " (arn:aws:kms:REGION:ACCOUNT:alias/NAME)";
  private static final String ID = "(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})";
  // KMS alias names: letters, digits, '/', '_' and '-', up to 256 characters with the prefix
  private static final String ALIAS = "alias/[A-Za-z0-9/_-]{1,250}";
  // cosign accepts the aws and aws-us-gov partitions; the China partition is accepted too
  private static final Pattern ARN =
      Pattern.compile("arn:(aws|aws-us-gov|aws-cn):kms:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12}):(key/" + ID + "|" + ALIAS + ")");
  private static final Pattern KEY_ID = Pattern.compile(ID);
  private static final Pattern ALIAS_NAME = Pattern.compile(ALIAS);
  private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?");

  public KmsKeyUri {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
  }

  /** Whether {@code value} is meant as an AWS KMS key (it may still be malformed). */
  public static boolean isKmsUri(String value) {
    return value != null && value.startsWith(SCHEME);
  }

  /**
   * Reads a key URI.
   *
   * @throws IllegalArgumentException saying what is wrong with it and which forms are read
   */
  public static KmsKeyUri parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("no KMS key URI: " + FORMS);
    }
    if (!uri.startsWith(SCHEME)) {
      int colon = uri.indexOf("://");
      String scheme = colon > 0 ? uri.substring(0, colon + 3) : null;
      throw new IllegalArgumentException(
          "'" + uri + "' is not an AWS KMS key URI" + (scheme != null ? " (" + scheme + " keys are not supported)" : "")
              + ": " + FORMS);
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + uri + "' names no key after the endpoint: " + FORMS);
    }
    String host = rest.substring(0, slash);
    String key = rest.substring(slash + 1);
    if (!host.isEmpty()) {
      Matcher h = HOST.matcher(host);
      if (!h.matches() || (h.group(1) != null && (Integer.parseInt(h.group(1)) < 1 || Integer.parseInt(h.group(1)) > 65535))) {
        throw new IllegalArgumentException(
            "'" + uri + "': the endpoint '" + host + "' is not HOST or HOST:PORT (no user, path or query): " + FORMS);
      }
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("'" + uri + "' names no key: " + FORMS);
    }
    String endpoint = host.isEmpty() ? null : host;
    if (KEY_ID.matcher(key).matches()) {
      return new KmsKeyUri(endpoint, key, Kind.KEY_ID, null);
    }
    if (ALIAS_NAME.matcher(key).matches()) {
      return new KmsKeyUri(endpoint, key, Kind.ALIAS_NAME, null);
    }
    Matcher arn = ARN.matcher(key);
    if (arn.matches()) {
      return new KmsKeyUri(endpoint, key, arn.group(4).startsWith("key/") ? Kind.KEY_ARN : Kind.ALIAS_ARN, arn.group(2));
    }
    throw new IllegalArgumentException("'" + uri + "': '" + key + "' is " + whatIsWrong(key) + ": " + FORMS);
  }

  private static String whatIsWrong(String key) {
    if (key.startsWith("alias/")) {
      return "not an alias name (alias/ then letters, digits, '/', '_' or '-')";
    }
    if (key.startsWith("arn:")) {
      return "not a KMS key or alias ARN (arn:PARTITION:kms:REGION:12-DIGIT-ACCOUNT:key/ID or …:alias/NAME)";
    }
    return "not a key id, ARN or alias";
  }

  @Override
  public String toString() {
    return SCHEME + (endpoint == null ? "" : endpoint) + "/" + key;
  }
}
