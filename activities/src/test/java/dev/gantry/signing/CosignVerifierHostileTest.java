package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.signing.RawRegistry.Layer;
import dev.gantry.testsupport.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an attacker, a broken CI job or a registry can put where signatures belong: each is refused
 * with the reason a person needs. Signed variants use the trusted key, so the refusal is about the
 * content, not the signature.
 */
class CosignVerifierHostileTest {
  private static final String SIGNATURE = AttestationWriter.SIGNATURE_ANNOTATION;
  private static final AtomicInteger IMAGES = new AtomicInteger();
  private static RawRegistry registry;
  private static PemSigner trusted;
  private static PemSigner otherService;

  @BeforeAll
  static void start() {
    registry = new RawRegistry();
    trusted = PemSigner.fromKey(TestKeys.p256().getPrivate());
    otherService = PemSigner.fromKey(TestKeys.p256().getPrivate());
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageRef image() {
    return registry.image("hostile", "v" + IMAGES.incrementAndGet());
  }

  private static CosignVerifier.Result verify(ImageRef image) {
    return verify(image, Map.of());
  }

  private static CosignVerifier.Result verify(ImageRef image, Map<String, String> required) {
    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(trusted.publicKey()), required, registry.settings);
    assertThat(result.ok()).as("refused: %s", result.reason()).isFalse();
    assertThat(result.verified()).isEmpty();
    return result;
  }

  // ------------------------------------------------------------------------------ helpers

  private static byte[] payload(String repository, String digest, String type, Map<String, String> optional) {
    ObjectNode root = RawRegistry.JSON.createObjectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", repository);
    critical.putObject("image").put("docker-manifest-digest", digest);
    critical.put("type", type);
    ObjectNode o = root.putObject("optional");
    optional.forEach(o::put);
    return RawRegistry.bytes(root);
  }

  private static byte[] payload(ImageRef image, Map<String, String> optional) {
    return payload(image.repository(), image.reference(), CosignPayloads.SIMPLE_SIGNING_TYPE, optional);
  }

  private static Layer signed(PemSigner signer, byte[] payload) {
    return new Layer(
        RawRegistry.SIMPLE_SIGNING, payload, Map.of(SIGNATURE, Base64.getEncoder().encodeToString(signer.sign(payload))));
  }

  private static byte[] statement(String predicateType, List<String> subjectDigests) {
    ObjectNode root = RawRegistry.JSON.createObjectNode();
    root.put("_type", "https://in-toto.io/Statement/v1");
    if (subjectDigests != null) {
      ArrayNode subjects = root.putArray("subject");
      for (String d : subjectDigests) {
        subjects.addObject().putObject("digest").put("sha256", d.substring("sha256:".length()));
      }
    }
    root.put("predicateType", predicateType);
    root.putObject("predicate");
    return RawRegistry.bytes(root);
  }

  private static byte[] envelope(PemSigner signer, String payloadType, byte[] payload) {
    byte[] sig = signer.sign(Dsse.pae(payloadType, payload));
    return RawRegistry.bytes(new Dsse.Envelope(payloadType, payload, List.of(new Dsse.Sig(null, sig))).toJson());
  }

  /** A referrer bundle the way Gantry and cosign write it, with this envelope. */
  private static void attachBundle(ImageRef image, byte[] envelope, String predicateAnnotation) {
    AttestationWriter.attach(
        image, envelope, predicateAnnotation, AttestationWriter.Form.REFERRER, trusted.keyId(), registry.settings);
  }

  private static void putFallbackIndex(ImageRef image, List<String[]> manifests) {
    ObjectNode index = RawRegistry.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", RawRegistry.OCI_INDEX);
    ArrayNode list = index.putArray("manifests");
    for (String[] d : manifests) {
      ObjectNode e = list.addObject();
      e.put("mediaType", RawRegistry.OCI_MANIFEST);
      e.put("digest", d[0]);
      e.put("size", Long.parseLong(d[1]));
      e.put("artifactType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    }
    registry.putManifest(image.name(), RawRegistry.tagOf(image.reference(), ""), RawRegistry.bytes(index), RawRegistry.OCI_INDEX);
  }

  // ------------------------------------------------------------------------------ nothing there

  @Test
  void anUnsignedImageIsRefusedAsUnsigned() {
    ImageRef image = image();

    assertThat(verify(image).reason())
        .isEqualTo("unsigned: " + image + " has no cosign signature (no " + RawRegistry.tagOf(image.reference(), ".sig")
            + " tag, no Sigstore bundle referrer with predicate type https://sigstore.dev/cosign/sign/v1)");
  }

  @Test
  void anImageGoneFromTheRegistryIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, trusted, Map.of(), Form.LEGACY, registry.settings);
    registry.deleteManifest(image.name(), image.reference());

    assertThat(verify(image).reason()).startsWith(image + " is not in the registry: ").contains("not found");
  }

  // ------------------------------------------------------------------------------ wrong key

  @Test
  void aLegacySignatureByAnotherServicesKeyIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, otherService, Map.of(), Form.LEGACY, registry.settings);

    CosignVerifier.Result result = verify(image);

    assertThat(result.reason())
        .startsWith("no cosign signature of " + image + " verifies with the 1 trusted key; legacy signature 1 of 1")
        .endsWith("is not signed by a trusted key: none of the 1 configured keys verifies it");
  }

  @Test
  void aBundleByAnotherServicesKeyIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, otherService, Map.of(), Form.BUNDLE, registry.settings);

    assertThat(verify(image).reason())
        .contains("Sigstore bundle referrer sha256:")
        .endsWith("is not signed by a trusted key: none of the 1 configured keys verifies its DSSE signature");
  }

  @Test
  void aKeylessLegacySignatureIsNotTakenForAKeyedOne() {
    ImageRef image = image();
    byte[] payload = payload(image, Map.of());
    registry.putSigManifest(image, List.of(new Layer(RawRegistry.SIMPLE_SIGNING, payload, Map.of(
        SIGNATURE, Base64.getEncoder().encodeToString(otherService.sign(payload)),
        "dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"))));

    assertThat(verify(image).reason())
        .contains("is not signed by a trusted key: it is a keyless signature with a certificate in the legacy form, which Gantry does not verify")
        .endsWith("sign keyless in the Sigstore bundle form (cosign v3's default, or cosign sign --new-bundle-format)");
  }

  @Test
  void aKeylessBundleIsRefused() {
    ImageRef image = image();
    ObjectNode bundle = RawRegistry.JSON.createObjectNode();
    bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    bundle.putObject("verificationMaterial").putObject("certificate").put("rawBytes", "MIIB");
    bundle.set("dsseEnvelope", RawRegistry.bytesToTree(envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE,
        statement(CosignPayloads.SIGN_PREDICATE_TYPE, List.of(image.reference())))));
    registry.putBundleReferrer(image, RawRegistry.bytes(bundle));

    assertThat(verify(image).reason())
        .contains("is keyless (signed with a certificate), and no keyless identity is configured for this service");
  }

  // ------------------------------------------------------------------------------ legacy content

  @Test
  void aSignatureOverAnotherDigestCopiedIntoThisImageIsRefused() {
    ImageRef signedOne = image();
    ImageRef target = image();
    // a genuine signature of another build, replayed under this build's .sig tag
    registry.putSigManifest(target, List.of(signed(trusted, payload(signedOne, Map.of()))));

    assertThat(verify(target).reason())
        .endsWith("is a signature over " + signedOne.reference() + ", but the image is " + target.reference());
  }

  @Test
  void anAlteredCriticalTypeIsRefusedEvenWhenSigned() {
    ImageRef image = image();
    byte[] payload = payload(image.repository(), image.reference(), "cosign container image signature v9", Map.of());
    registry.putSigManifest(image, List.of(signed(trusted, payload)));

    assertThat(verify(image).reason())
        .endsWith("its payload's critical.type is 'cosign container image signature v9', not 'cosign container image signature'");
  }

  @Test
  void aPayloadAlteredAfterSigningNoLongerVerifies() {
    ImageRef image = image();
    byte[] genuine = payload(image, Map.of("env", "staging"));
    Layer layer = signed(trusted, genuine);
    // the annotation edited to pass a prod check, the signature kept
    byte[] tampered = payload(image, Map.of("env", "prod"));
    registry.putSigManifest(image, List.of(new Layer(layer.mediaType(), tampered, layer.annotations())));

    assertThat(verify(image, Map.of("env", "prod")).reason())
        .endsWith("is not signed by a trusted key: none of the 1 configured keys verifies it");
  }

  @Test
  void aSignedAnnotationWithAnotherValueThanRequiredIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, trusted, Map.of("env", "staging"), Form.LEGACY, registry.settings);

    assertThat(verify(image, Map.of("env", "prod")).reason())
        .endsWith("has annotation env='staging', but 'prod' is required");
  }

  @Test
  void aMissingRequiredAnnotationIsRefusedInTheBundleFormToo() {
    ImageRef image = image();
    CosignSigner.sign(image, trusted, Map.of("release", "r-1"), Form.BUNDLE, registry.settings);

    assertThat(verify(image, Map.of("env", "prod")).reason())
        .endsWith("lacks the required annotation env='prod'");
  }

  @Test
  void aSignedPayloadThatIsNotJsonIsRefused() {
    ImageRef image = image();
    byte[] garbage = "\u0000\u0001 not json".getBytes(StandardCharsets.UTF_8);
    registry.putSigManifest(image, List.of(signed(trusted, garbage)));

    assertThat(verify(image).reason()).contains("simple-signing payload is not valid JSON");
  }

  @Test
  void aSignatureLayerOfAnotherMediaTypeIsRefused() {
    ImageRef image = image();
    Layer genuine = signed(trusted, payload(image, Map.of()));
    registry.putSigManifest(image, List.of(new Layer("application/octet-stream", genuine.content(), genuine.annotations())));

    assertThat(verify(image).reason())
        .endsWith("has media type application/octet-stream, not application/vnd.dev.cosign.simplesigning.v1+json");
  }

  @Test
  void aMissingOrMalformedSignatureAnnotationIsRefused() {
    ImageRef image = image();
    byte[] payload = payload(image, Map.of());
    registry.putSigManifest(image, List.of(
        new Layer(RawRegistry.SIMPLE_SIGNING, payload, Map.of()),
        new Layer(RawRegistry.SIMPLE_SIGNING, payload, Map.of(SIGNATURE, "%%% not base64 %%%"))));

    CosignVerifier.Result result = verify(image);
    assertThat(result.refusals().get(1)).endsWith("has no dev.cosignproject.cosign/signature annotation");
    assertThat(result.refusals().get(2)).endsWith("its dev.cosignproject.cosign/signature annotation is not base64");
  }

  // ------------------------------------------------------------------------------ the .sig tag

  @Test
  void aSigTagNamingAnIndexIsRefused() {
    ImageRef image = image();
    byte[] imageManifest = registry.manifest(image.name(), image.reference());
    ObjectNode index = RawRegistry.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", RawRegistry.OCI_INDEX);
    ObjectNode e = index.putArray("manifests").addObject();
    e.put("mediaType", RawRegistry.OCI_MANIFEST);
    e.put("digest", image.reference());
    e.put("size", imageManifest.length);
    registry.putManifest(image.name(), RawRegistry.tagOf(image.reference(), ".sig"), RawRegistry.bytes(index), RawRegistry.OCI_INDEX);

    assertThat(verify(image).reason())
        .contains("legacy signatures cannot be read: signature tag " + RawRegistry.tagOf(image.reference(), ".sig"))
        .endsWith("names a application/vnd.oci.image.index.v1+json, not an image manifest with signature layers");
  }

  @Test
  void aSigTagNamingTheImageItselfIsALoop() {
    ImageRef image = image();
    byte[] imageManifest = registry.manifest(image.name(), image.reference());
    registry.putManifest(image.name(), RawRegistry.tagOf(image.reference(), ".sig"), imageManifest, RawRegistry.OCI_MANIFEST);

    assertThat(verify(image).reason()).endsWith("names the image itself: an attachment loop");
  }

  @Test
  void aSignatureManifestWithMoreLayersThanTheLimitIsRefused() {
    ImageRef image = image();
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      layers.add(signed(otherService, payload(image, Map.of("n", String.valueOf(i)))));
    }
    registry.putSigManifest(image, layers);

    assertThat(verify(image).reason()).endsWith("has 65 layers, more than the limit of 64");
  }

  @Test
  void aSignatureManifestOverTheByteLimitIsRefused() {
    ImageRef image = image();
    registry.putSigManifest(image, List.of(signed(trusted, payload(image, Map.of("pad", "x".repeat(2048))))));
    Attachments.Limits small = new Attachments.Limits(512, 1024, 8, 8);

    CosignVerifier.Result result =
        CosignVerifier.verify(image, List.of(trusted.publicKey()), Map.of(), registry.settings, small);

    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).contains("legacy signatures cannot be read:").contains("is larger than the limit of");
  }

  // ------------------------------------------------------------------------------ bundle content

  @Test
  void aDssePayloadTypeOtherThanInTotoIsRefused() {
    ImageRef image = image();
    byte[] statement = statement(CosignPayloads.SIGN_PREDICATE_TYPE, List.of(image.reference()));
    attachBundle(image, envelope(trusted, "application/json", statement), CosignPayloads.SIGN_PREDICATE_TYPE);

    assertThat(verify(image).reason())
        .endsWith("its DSSE payload type is 'application/json', not application/vnd.in-toto+json");
  }

  @Test
  void aStatementWithoutSubjectIsRefused() {
    ImageRef image = image();
    byte[] statement = statement(CosignPayloads.SIGN_PREDICATE_TYPE, null);
    attachBundle(image, envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE, statement), CosignPayloads.SIGN_PREDICATE_TYPE);

    assertThat(verify(image).reason()).endsWith("its statement has no subject");
  }

  @Test
  void aStatementAboutAnotherDigestIsRefused() {
    ImageRef image = image();
    ImageRef other = image();
    byte[] statement = statement(CosignPayloads.SIGN_PREDICATE_TYPE, List.of(other.reference()));
    attachBundle(image, envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE, statement), CosignPayloads.SIGN_PREDICATE_TYPE);

    assertThat(verify(image).reason())
        .endsWith("its statement is about " + other.reference() + ", not the image " + image.reference());
  }

  @Test
  void aBundleClaimingToBeASignatureButCarryingAnotherPredicateIsRefused() {
    ImageRef image = image();
    byte[] statement = statement("https://slsa.dev/provenance/v1", List.of(image.reference()));
    attachBundle(image, envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE, statement), CosignPayloads.SIGN_PREDICATE_TYPE);

    assertThat(verify(image).reason())
        .endsWith("its statement's predicate type is 'https://slsa.dev/provenance/v1', not https://sigstore.dev/cosign/sign/v1");
  }

  @Test
  void anAttestationIsNotASignature() {
    ImageRef image = image();
    byte[] statement = statement("https://slsa.dev/provenance/v1", List.of(image.reference()));
    attachBundle(image, envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE, statement), "https://slsa.dev/provenance/v1");

    assertThat(verify(image).reason()).startsWith("unsigned: ");
  }

  @Test
  void aBundleOlderThanV03IsRefused() {
    ImageRef image = image();
    ObjectNode bundle = RawRegistry.JSON.createObjectNode();
    bundle.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
    bundle.putObject("verificationMaterial").putObject("publicKey").put("hint", trusted.keyId());
    bundle.set("dsseEnvelope", RawRegistry.bytesToTree(envelope(trusted, Dsse.IN_TOTO_PAYLOAD_TYPE,
        statement(CosignPayloads.SIGN_PREDICATE_TYPE, List.of(image.reference())))));
    registry.putBundleReferrer(image, RawRegistry.bytes(bundle));

    assertThat(verify(image).reason())
        .endsWith("has bundle media type 'application/vnd.dev.sigstore.bundle+json;version=0.1'; cosign signatures are bundle v0.3");
  }

  @Test
  void aReferrersIndexListingTheImageItselfIsALoop() {
    ImageRef image = image();
    byte[] imageManifest = registry.manifest(image.name(), image.reference());
    putFallbackIndex(image, List.<String[]>of(new String[] {image.reference(), String.valueOf(imageManifest.length)}));

    assertThat(verify(image).reason())
        .contains("Sigstore bundle referrers cannot be read:")
        .endsWith("list the image itself: a referrer loop");
  }
}
