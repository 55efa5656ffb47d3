package dev.gantry.server;

import dev.gantry.model.SearchAttributes;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
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
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Connects to Temporal. In embedded mode that is Temporal's in-process test server, bound to a
 * loopback port so the Temporal CLI and UI can attach; its state lives in memory only.
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
  WorkflowServiceStubs workflowServiceStubs(EmbeddedTemporal temporal) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, GantryProperties props, EmbeddedTemporal temporal) {
    String namespace = namespace(props);
    registerSearchAttributes(stubs, namespace);
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  private static String namespace(GantryProperties props) {
    return props.temporal() == null || props.temporal().namespace() == null ? "default" : props.temporal().namespace();
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
