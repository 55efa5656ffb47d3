package dev.gantry.server;

import dev.gantry.model.SearchAttributes;
import com.google.protobuf.util.Durations;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Connects to Temporal. In embedded mode that is Temporal's in-process test server, bound to a
 * loopback port so the Temporal CLI and UI can attach; its state lives in memory only. Against a
 * real server Gantry waits for it to answer, creates its namespace when missing, then registers
 * its search attributes, so a fresh server needs no admin step.
 */
@Configuration(proxyBeanMethods = false)
public class TemporalConfiguration {
  private static final Logger log = LoggerFactory.getLogger(TemporalConfiguration.class);

  /** The embedded server, or nothing when Gantry talks to a real one. */
  public record EmbeddedTemporal(Closeable server, String target) implements Closeable {
    @Override
    public void close() throws IOException {
      if (server != null) {
        server.close();
      }
    }
  }

  @Bean(destroyMethod = "close")
  EmbeddedTemporal embeddedTemporal(GantryProperties props) {
    GantryProperties.Temporal t = props.temporal();
    if (t == null || !t.embedded()) {
      return new EmbeddedTemporal(null, t == null || t.target() == null ? "127.0.0.1:7233" : t.target());
    }
    int port = t.port() == 0 ? 7233 : t.port();
    try (ServerSocket probe = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " is taken, so the embedded Temporal server cannot listen there: stop what uses it or pass --temporal-port N", e);
    }
    // true = time skipping locked: timers run on the wall clock, as approvals and soaks must
    Closeable server = TestServer.createPortBoundServer(port, true);
    log.warn(
        "Embedded Temporal (in-process test server) on 127.0.0.1:{}. WORKFLOW STATE LIVES IN MEMORY: releases in flight are lost"
            + " when this process stops. For durability run a real Temporal server.", port);
    return new EmbeddedTemporal(server, "127.0.0.1:" + port);
  }

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(EmbeddedTemporal temporal, GantryProperties props) {
    return WorkflowServiceStubs.newServiceStubs(
        serviceStubsOptions(temporal.target(), temporal.server() == null ? props.temporal() : null));
  }

  /**
   * How Gantry reaches the frontend: plain gRPC, or TLS (server CA, mTLS client certificate, an
   * expected server name) and an API key, as Temporal Cloud takes them.
   *
   * @param external the external server's settings; null for the embedded one
   */
  static WorkflowServiceStubsOptions serviceStubsOptions(String target, GantryProperties.Temporal external) {
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder().setTarget(target);
    if (external == null) {
      return options.build();
    }
    GantryProperties.Tls tls = external.tls();
    String apiKey = external.apiKey() == null || external.apiKey().isBlank() ? null : external.apiKey().trim();
    if ((tls != null && tls.wanted()) || apiKey != null) {
      options.setSslContext(sslContext(tls));
      if (tls != null && tls.serverName() != null && !tls.serverName().isBlank()) {
        String authority = tls.serverName().trim();
        options.setChannelInitializer(channel -> channel.overrideAuthority(authority));
      }
    }
    if (apiKey != null) {
      options.addApiKey(() -> apiKey);
    }
    return options.build();
  }

  private static SslContext sslContext(GantryProperties.Tls tls) {
    String what = "gantry.temporal.tls";
    try {
      SimpleSslContextBuilder ssl;
      if (tls != null && (tls.clientCert() != null || tls.clientKey() != null)) {
        if (tls.clientCert() == null || tls.clientKey() == null) {
          throw new IllegalStateException(what + ": mTLS needs both client-cert and client-key");
        }
        // the builder reads its streams when it builds: hand it the bytes
        ssl = SimpleSslContextBuilder.forPKCS8(
            new ByteArrayInputStream(Files.readAllBytes(tls.clientCert())),
            new ByteArrayInputStream(Files.readAllBytes(tls.clientKey())));
      } else {
        ssl = SimpleSslContextBuilder.noKeyOrCertChain();
      }
      if (tls != null && tls.caCert() != null) {
        ssl.setTrustManager(trustManager(tls.caCert()));
      }
      return ssl.build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(what + ": cannot read the certificates or key: " + e.getMessage(), e);
    }
  }

  private static TrustManager trustManager(Path caCert)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (var in = Files.newInputStream(caCert)) {
      int i = 0;
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new CertificateException(caCert + " holds no PEM certificate");
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers()[0];
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, GantryProperties props, EmbeddedTemporal temporal) {
    String namespace = namespace(props);
    if (temporal.server() == null) {
      GantryProperties.Temporal t = props.temporal();
      Duration wait = t == null || t.connectTimeout() == null ? Duration.ofSeconds(60) : t.connectTimeout();
      Duration retention = t == null || t.retention() == null ? Duration.ofDays(30) : t.retention();
      long deadline = System.nanoTime() + wait.toNanos();
      ensureNamespace(stubs, temporal.target(), namespace, retention, deadline, wait);
      untilNamespaceVisible(() -> registerSearchAttributes(stubs, namespace), temporal.target(), namespace, deadline, wait);
    } else {
      registerSearchAttributes(stubs, namespace);
    }
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  private static String namespace(GantryProperties props) {
    return props.temporal() == null || props.temporal().namespace() == null ? "default" : props.temporal().namespace();
  }

  /**
   * Waits (until the deadline) for the server to answer, then registers the namespace unless it
   * exists. Several Gantry processes may race here; the loser's "already exists" is success.
   */
  static void ensureNamespace(
      WorkflowServiceStubs stubs, String target, String namespace, Duration retention, long deadline, Duration wait) {
    StatusRuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
        log.info("Temporal at {}: namespace {} exists", target, namespace);
        return;
      } catch (StatusRuntimeException e) {
        switch (e.getStatus().getCode()) {
          case NOT_FOUND -> {
            register(stubs, target, namespace, retention);
            return;
          }
          case UNAVAILABLE, DEADLINE_EXCEEDED -> last = e; // not up yet: a server and Gantry often start together
          default -> throw e;
        }
      }
      pause();
    }
    throw new IllegalStateException(
        "Temporal at " + target + " did not answer within " + wait + " (last: " + (last == null ? "no reply" : last.getStatus()) + ")."
            + " Start it (deploy/temporal/run.sh DATA_DIR PORT runs one on SQLite) or fix gantry.temporal.target;"
            + " gantry.temporal.connect-timeout sets how long to wait.",
        last);
  }

  private static void register(WorkflowServiceStubs stubs, String target, String namespace, Duration retention) {
    try {
      stubs.blockingStub().registerNamespace(
          RegisterNamespaceRequest.newBuilder()
              .setNamespace(namespace)
              .setDescription("Gantry releases and promotions")
              .setWorkflowExecutionRetentionPeriod(Durations.fromSeconds(retention.toSeconds()))
              .build());
      log.info("Temporal at {}: registered namespace {} (retention {})", target, namespace, retention);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    }
  }

  /** A namespace just registered can take a moment to reach the frontend's namespace cache. */
  private static void untilNamespaceVisible(Runnable call, String target, String namespace, long deadline, Duration wait) {
    while (true) {
      try {
        call.run();
        return;
      } catch (StatusRuntimeException e) {
        boolean transientCode = e.getStatus().getCode() == Status.Code.NOT_FOUND || e.getStatus().getCode() == Status.Code.UNAVAILABLE;
        if (!transientCode || System.nanoTime() >= deadline) {
          throw new IllegalStateException(
              "Temporal at " + target + ": could not register Gantry's search attributes in namespace " + namespace + " within " + wait, e);
        }
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Temporal", e);
    }
  }

  /** Idempotent: only the attributes the namespace lacks are added. */
  static void registerSearchAttributes(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder().setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
    try {
      Map<String, io.temporal.api.enums.v1.IndexedValueType> existing;
      try {
        existing =
            operator.blockingStub().listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
          throw e;
        }
        existing = Map.of(); // the in-process test server cannot list; it starts empty every time
      }
      Map<String, io.temporal.api.enums.v1.IndexedValueType> missing = new HashMap<>();
      for (var attribute : SearchAttributes.ALL.entrySet()) {
        if (!existing.containsKey(attribute.getKey())) {
          missing.put(attribute.getKey(), attribute.getValue());
        }
      }
      if (!missing.isEmpty()) {
        operator.blockingStub().addSearchAttributes(
            AddSearchAttributesRequest.newBuilder().setNamespace(namespace).putAllSearchAttributes(missing).build());
        log.info("registered search attributes {} in namespace {}", missing.keySet(), namespace);
      }
    } finally {
      operator.shutdown();
    }
  }
}
