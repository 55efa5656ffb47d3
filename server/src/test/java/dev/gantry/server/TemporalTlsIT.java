package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gantry's TLS options against the real Temporal server serving its frontend with mTLS
 * (deploy/temporal/run.sh with TEMPORAL_TLS_DIR), from a CA made for the test: with the CA, a
 * client certificate and the server's name Gantry creates its namespace and registers its search
 * attributes; without a client certificate, or trusting another CA, it cannot connect.
 */
class TemporalTlsIT {
  private static final String SERVER_NAME = "temporal.gantry.test";

  @TempDir static Path dir;
  static TemporalServerProcess temporal;
  static Path certs;
  static Path otherCa;

  @BeforeAll
  static void start() throws Exception {
    certs = Files.createDirectories(dir.resolve("certs"));
    KeyPair caKey = ec();
    X509Certificate ca = issue(caKey, "Gantry test CA", caKey, null, true, null, null);
    write("ca.pem", pem("CERTIFICATE", ca.getEncoded()));
    leaf(caKey, ca, "server", SERVER_NAME, KeyPurposeId.id_kp_serverAuth);
    leaf(caKey, ca, "worker", "temporal-system-worker", KeyPurposeId.id_kp_clientAuth);
    leaf(caKey, ca, "gantry", "gantry", KeyPurposeId.id_kp_clientAuth);
    KeyPair other = ec();
    otherCa = Files.writeString(dir.resolve("other-ca.pem"), pem("CERTIFICATE", issue(other, "Another CA", other, null, true, null, null).getEncoded()));

    Path log = GantryProcess.freshLog("e2e-temporal-tls.log");
    temporal = new TemporalServerProcess(dir.resolve("temporal"), log).withTls(certs, SERVER_NAME).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (temporal != null) {
      temporal.close();
    }
  }

  private static GantryProperties.Temporal external(GantryProperties.Tls tls, String apiKey) {
    return new GantryProperties.Temporal(false, 0, temporal.target(), "gantry-tls", Duration.ofDays(1), Duration.ofSeconds(30), tls, apiKey);
  }

  @Test
  void withTheCaAClientCertificateAndTheServerNameGantryRegistersItsNamespace() {
    GantryProperties.Tls tls = new GantryProperties.Tls(
        true, certs.resolve("gantry.pem"), certs.resolve("gantry.key"), certs.resolve("ca.pem"), SERVER_NAME);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(TemporalConfiguration.serviceStubsOptions(temporal.target(), external(tls, null)));
    try {
      Duration wait = Duration.ofSeconds(60);
      TemporalConfiguration.ensureNamespace(stubs, temporal.target(), "gantry-tls", Duration.ofDays(1), System.nanoTime() + wait.toNanos(), wait);
      long deadline = System.nanoTime() + wait.toNanos();
      while (true) {
        try {
          TemporalConfiguration.registerSearchAttributes(stubs, "gantry-tls");
          break;
        } catch (RuntimeException notYetVisible) {
          if (System.nanoTime() > deadline) {
            throw notYetVisible;
          }
        }
      }
      assertThat(stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("gantry-tls").build())
          .getNamespaceInfo().getName()).isEqualTo("gantry-tls");
    } finally {
      stubs.shutdownNow();
    }
  }

  @Test
  void withoutAClientCertificateTheServerRefusesTheConnection() {
    GantryProperties.Tls tls = new GantryProperties.Tls(true, null, null, certs.resolve("ca.pem"), SERVER_NAME);
    refused(tls);
  }

  @Test
  void trustingAnotherCaGantryRefusesTheServer() {
    GantryProperties.Tls tls = new GantryProperties.Tls(true, certs.resolve("gantry.pem"), certs.resolve("gantry.key"), otherCa, SERVER_NAME);
    refused(tls);
  }

  @Test
  void halfAClientKeyPairIsAConfigurationError() {
    GantryProperties.Tls tls = new GantryProperties.Tls(true, certs.resolve("gantry.pem"), null, certs.resolve("ca.pem"), SERVER_NAME);
    assertThatThrownBy(() -> TemporalConfiguration.serviceStubsOptions(temporal.target(), external(tls, null)))
        .hasMessageContaining("gantry.temporal.tls: mTLS needs both client-cert and client-key");
  }

  @Test
  void anApiKeyGoesAsABearerTokenOverTls() {
    var options = TemporalConfiguration.serviceStubsOptions(temporal.target(), external(null, "key-123"));
    assertThat(options.getSslContext()).as("an API key implies TLS").isNotNull();
    assertThat(options.getGrpcMetadataProviders()).isNotEmpty();
    var headers = options.getGrpcMetadataProviders().iterator().next().getMetadata();
    assertThat(headers.get(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("Bearer key-123");
  }

  private static void refused(GantryProperties.Tls tls) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(TemporalConfiguration.serviceStubsOptions(temporal.target(), external(tls, null)));
    try {
      Duration wait = Duration.ofSeconds(3);
      assertThatThrownBy(() -> TemporalConfiguration.ensureNamespace(
              stubs, temporal.target(), "gantry-refused", Duration.ofDays(1), System.nanoTime() + wait.toNanos(), wait))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("did not answer");
    } finally {
      stubs.shutdownNow();
    }
  }

  // ------------------------------------------------------------------------------ certificates

  private static void leaf(KeyPair caKey, X509Certificate ca, String name, String cn, KeyPurposeId purpose) throws Exception {
    KeyPair key = ec();
    X509Certificate cert = issue(key, cn, caKey, ca, false, purpose, cn.contains(".") ? cn : null);
    write(name + ".pem", pem("CERTIFICATE", cert.getEncoded()));
    write(name + ".key", pem("PRIVATE KEY", key.getPrivate().getEncoded()));
  }

  private static X509Certificate issue(KeyPair subject, String cn, KeyPair issuerKey, X509Certificate issuer, boolean isCa,
      KeyPurposeId purpose, String dnsName) throws Exception {
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + cn);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        issuer == null ? name : new X500Name(issuer.getSubjectX500Principal().getName()),
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(cn.hashCode() & 0xffff)),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, subject.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (purpose != null) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    if (dnsName != null) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, dnsName), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    PrivateKey signer = issuerKey.getPrivate();
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static void write(String name, String content) throws Exception {
    Files.writeString(certs.resolve(name), content);
  }
}
