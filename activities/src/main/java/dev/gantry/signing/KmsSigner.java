package dev.gantry.signing;

import dev.gantry.registry.AttestationWriter;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * A signing key in AWS KMS, named by a cosign key URI ({@link KmsKeyUri}). The key is resolved
 * once, when first used: {@code DescribeKey} (it must be enabled and a {@code SIGN_VERIFY} key)
 * and {@code GetPublicKey}; it then signs with the algorithm cosign picks for its spec (P-256:
 * ECDSA_SHA_256, P-384: ECDSA_SHA_384, P-521: ECDSA_SHA_512, RSA: RSASSA_PKCS1_V1_5_SHA_256), against
 * the key's ARN, so an alias moved later does not change the key under a running worker. IAM needs
 * {@code kms:DescribeKey}, {@code kms:GetPublicKey} and {@code kms:Sign}.
 *
 * <p>Failures are {@link ApplicationFailure}s: {@link #KEY_REFUSED} (non-retryable: unknown,
 * disabled or unusable key, access denied) or {@link #KMS_UNAVAILABLE} (retryable: throttling, KMS
 * 5xx, the network).
 */
public final class KmsSigner implements Signer, AutoCloseable {
  /** Non-retryable: the key cannot sign, for a reason retrying will not change. */
  public static final String KEY_REFUSED = "SigningKeyRefused";

  /** Retryable: KMS throttled, failed (5xx) or could not be reached. */
  public static final String KMS_UNAVAILABLE = "SigningKeyUnavailable";

  /** The largest message KMS signs as {@code RAW}; longer ones are hashed here and sent as {@code DIGEST}. */
  public static final int MAX_RAW_MESSAGE = 4096;

  static final String DEFAULT_REGION = "us-east-1";
  private static final int MIN_RSA_BITS = 2048;

  private final KmsKeyUri uri;
  private final KmsClient client;
  private final boolean ownsClient;
  private final String where;
  private volatile ResolvedKey resolved;

  /** What {@code DescribeKey} and {@code GetPublicKey} said, once. */
  private record ResolvedKey(String arn, PublicKey publicKey, String keyId, SigningAlgorithmSpec algorithm, String digest) {}

  /**
   * Signs with {@code client}, which the caller keeps and closes.
   *
   * @param where for messages: the region and endpoint the client talks to
   */
  public KmsSigner(KmsKeyUri uri, KmsClient client, String where) {
    this(uri, client, where, false);
  }

  private KmsSigner(KmsKeyUri uri, KmsClient client, String where, boolean ownsClient) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.client = Objects.requireNonNull(client, "client");
    this.where = where;
    this.ownsClient = ownsClient;
  }

  /**
   * A signer for {@code uri} with credentials from the default AWS chain (environment, profile, web
   * identity, container or instance role). Nothing is called until the key is first used.
   *
   * @param endpoint a URL overriding KMS's endpoint (VPC endpoint, a local KMS), or null
   * @param region the Region, or null: the ARN's, else the environment's ({@code AWS_REGION},
   *     profile…), else us-east-1
   * @throws IllegalArgumentException a malformed URI or endpoint, or settings that contradict it
   */
  public static KmsSigner open(String uri, String endpoint, String region) {
    return open(KmsKeyUri.parse(uri), endpoint, region, DefaultCredentialsProvider.builder().build());
  }

  /** {@link #open(String, String, String)} with the given credentials. */
  public static KmsSigner open(KmsKeyUri uri, String endpoint, String region, AwsCredentialsProvider credentials) {
    URI endpointUri = endpoint(uri, endpoint);
    Region r = Region.of(region(uri, region));
    var builder =
        KmsClient.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
            .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)))
            .region(r)
            .credentialsProvider(credentials);
    if (endpointUri != null) {
      builder.endpointOverride(endpointUri);
    }
    String where = "region " + r.id() + (endpointUri != null ? " at " + endpointUri : "");
    return new KmsSigner(uri, builder.build(), where, true);
  }

  // the URI's host as cosign uses it (https), or the override; both only if they agree
  static URI endpoint(KmsKeyUri uri, String override) {
    URI fromUri = uri.endpoint() == null ? null : URI.create("https://" + uri.endpoint());
    if (override == null || override.isBlank()) {
      return fromUri;
    }
    URI given;
    try {
      given = new URI(override.strip());
    } catch (java.net.URISyntaxException e) {
      given = null;
    }
    if (given == null || !("https".equals(given.getScheme()) || "http".equals(given.getScheme())) || given.getHost() == null) {
      throw new IllegalArgumentException(
          "KMS endpoint '" + override + "' is not an http(s)://HOST[:PORT] URL (e.g. https://kms.eu-west-1.amazonaws.com)");
    }
    if (fromUri != null && !(fromUri.getHost().equalsIgnoreCase(given.getHost()) && fromUri.getPort() == given.getPort())) {
      throw new IllegalArgumentException(
          "the key URI " + uri + " names the endpoint " + uri.endpoint() + " and the KMS endpoint is configured as " + override
              + ": give the endpoint in one place");
    }
    return given;
  }

  static String region(KmsKeyUri uri, String configured) {
    if (configured != null && !configured.isBlank()) {
      if (uri.region() != null && !uri.region().equals(configured.strip())) {
        throw new IllegalArgumentException(
            "the key " + uri + " is in " + uri.region() + " but the KMS region is configured as " + configured
                + ": KMS only finds an ARN's key in its own Region");
      }
      return configured.strip();
    }
    if (uri.region() != null) {
      return uri.region();
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
    } catch (SdkClientException noneConfigured) {
      return DEFAULT_REGION;
    }
  }

  public KmsKeyUri uri() {
    return uri;
  }

  /** The key's ARN, as KMS resolved the URI. */
  public String keyArn() {
    return resolve().arn();
  }

  /** The algorithm {@code Sign} is called with. */
  public SigningAlgorithmSpec signingAlgorithm() {
    return resolve().algorithm();
  }

  @Override
  public String keyId() {
    return resolve().keyId();
  }

  @Override
  public PublicKey publicKey() {
    return resolve().publicKey();
  }

  /**
   * Messages of 1 to {@value #MAX_RAW_MESSAGE} bytes go to KMS as they are ({@code RAW}, KMS hashes
   * them); longer (and empty) ones are hashed here with the algorithm's hash and sent as {@code
   * DIGEST}. Both
   * sign the same thing; RAW is also what local KMS emulators get right. ECDSA signatures come back
   * in DER, as cosign stores them.
   */
  @Override
  public byte[] sign(byte[] data) {
    ResolvedKey key = resolve();
    // KMS takes 1 to 4096 bytes as RAW: an empty message goes as its digest too
    boolean raw = data.length >= 1 && data.length <= MAX_RAW_MESSAGE;
    byte[] message = raw ? data : hash(key.digest(), data);
    try {
      return client.sign(r -> r.keyId(key.arn())
              .message(SdkBytes.fromByteArray(message))
              .messageType(raw ? MessageType.RAW : MessageType.DIGEST)
              .signingAlgorithm(key.algorithm()))
          .signature().asByteArray();
    } catch (SdkException e) {
      throw failure("cannot sign with " + this, e);
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "KMS key " + uri + (where == null ? "" : " (" + where + ")");
  }

  private ResolvedKey resolve() {
    ResolvedKey k = resolved;
    if (k == null) {
      synchronized (this) {
        k = resolved;
        if (k == null) {
          k = load();
          resolved = k;
        }
      }
    }
    return k;
  }

  private ResolvedKey load() {
    KeyMetadata meta;
    GetPublicKeyResponse pub;
    try {
      meta = client.describeKey(r -> r.keyId(uri.key())).keyMetadata();
      refuseUnusable(meta);
      pub = client.getPublicKey(r -> r.keyId(meta.arn()));
    } catch (SdkException e) {
      throw failure("cannot read " + this, e);
    }
    SigningAlgorithmSpec algorithm = algorithm(meta.keySpec());
    if (!pub.signingAlgorithms().isEmpty() && !pub.signingAlgorithms().contains(algorithm)) {
      throw refused(this + " does not offer " + algorithm + " (it offers " + pub.signingAlgorithmsAsStrings() + "), which cosign uses for "
          + meta.keySpecAsString() + " keys");
    }
    PublicKey key = publicKey(meta.keySpec(), pub.publicKey().asByteArray());
    String digest = algorithm == SigningAlgorithmSpec.ECDSA_SHA_384 ? "SHA-384" : algorithm == SigningAlgorithmSpec.ECDSA_SHA_512 ? "SHA-512" : "SHA-256";
    return new ResolvedKey(meta.arn(), key, AttestationWriter.keyHint(key), algorithm, digest);
  }

  private void refuseUnusable(KeyMetadata meta) {
    if (meta.keyUsage() != KeyUsageType.SIGN_VERIFY) {
      throw refused(this + " has key usage " + meta.keyUsageAsString() + " (" + meta.keySpecAsString()
          + "); signing needs a SIGN_VERIFY key (aws kms create-key --key-usage SIGN_VERIFY --key-spec ECC_NIST_P256)");
    }
    if (meta.keyState() != KeyState.ENABLED) {
      throw refused(this + " is " + meta.keyStateAsString()
          + (meta.keyState() == KeyState.DISABLED ? ": enable it (aws kms enable-key) or configure another key" : ": it cannot sign"));
    }
  }

  // the algorithm cosign's KMS signer uses for each key spec
  private SigningAlgorithmSpec algorithm(KeySpec spec) {
    return switch (spec) {
      case ECC_NIST_P256 -> SigningAlgorithmSpec.ECDSA_SHA_256;
      case ECC_NIST_P384 -> SigningAlgorithmSpec.ECDSA_SHA_384;
      case ECC_NIST_P521 -> SigningAlgorithmSpec.ECDSA_SHA_512;
      case RSA_2048, RSA_3072, RSA_4096 -> SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256;
      case null, default -> throw refused(this + " has key spec " + spec
          + ", which cosign cannot verify: use ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521 or RSA_2048 and larger");
    };
  }

  private PublicKey publicKey(KeySpec spec, byte[] der) {
    PublicKey key;
    try {
      key = KeyFactory.getInstance(spec.name().startsWith("RSA") ? "RSA" : "EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw refused("KMS returned a public key for " + this + " that is not a " + spec + " SubjectPublicKeyInfo: " + e.getMessage());
    }
    int bits = switch (key) {
      case ECPublicKey ec -> ec.getParams().getOrder().bitLength();
      case RSAPublicKey rsa -> rsa.getModulus().bitLength();
      default -> 0;
    };
    int expected = switch (spec) {
      case ECC_NIST_P256 -> 256;
      case ECC_NIST_P384 -> 384;
      case ECC_NIST_P521 -> 521;
      default -> -1;
    };
    if (expected > 0 ? bits != expected : bits < MIN_RSA_BITS) {
      throw refused("KMS returned a " + KeyAlgorithms.describe(key) + " public key for " + this + ", whose spec is " + spec);
    }
    return key;
  }

  private static byte[] hash(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK without " + algorithm, e);
    }
  }

  private static ApplicationFailure refused(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, KEY_REFUSED);
  }

  /** Throttling, KMS's own failures and the network are retried; everything else is the key's or the caller's. */
  static ApplicationFailure failure(String what, SdkException e) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
      String message = s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null
          ? s.awsErrorDetails().errorMessage() : s.getMessage();
      String detail = what + ": " + (code != null ? code + ": " : "") + message;
      if (s.isThrottlingException() || s.statusCode() >= 500 || s.statusCode() == 429) {
        return ApplicationFailure.newFailureWithCause(detail, KMS_UNAVAILABLE, e);
      }
      String hint = switch (e) {
        case NotFoundException nf -> " (no such key in this Region and account: check the key URI, the Region and the endpoint)";
        case DisabledException d -> " (enable the key: aws kms enable-key)";
        case KmsInvalidStateException st -> " (the key is pending deletion or import: cancel the deletion or use another key)";
        case InvalidKeyUsageException u -> " (signing needs a SIGN_VERIFY key)";
        default -> "AccessDeniedException".equals(code)
            ? " (the credentials may not use this key: allow kms:DescribeKey, kms:GetPublicKey and kms:Sign)"
            : "UnrecognizedClientException".equals(code) || "InvalidSignatureException".equals(code)
                ? " (the AWS credentials are not valid)" : "";
      };
      return ApplicationFailure.newNonRetryableFailureWithCause(detail + hint, KEY_REFUSED, e);
    }
    // a client-side failure: the network (retry) or the SDK's setup, such as no credentials (do not)
    boolean network = e.getCause() instanceof IOException || e.retryable();
    String detail = what + ": " + e.getMessage();
    return network
        ? ApplicationFailure.newFailureWithCause(detail, KMS_UNAVAILABLE, e)
        : ApplicationFailure.newNonRetryableFailureWithCause(detail, KEY_REFUSED, e);
  }
}
