package dev.gantry.server;

import dev.gantry.api.ApiConfiguration;
import dev.gantry.worker.WorkerConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** {@code gantry.roles} picks what this process hosts: the API, the worker, or both. */
final class Roles {
  private Roles() {}

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnExpression("'${gantry.roles:api,worker}'.contains('api')")
  @Import(ApiConfiguration.class)
  static class Api {}

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnExpression("'${gantry.roles:api,worker}'.contains('worker')")
  @Import(WorkerConfiguration.class)
  static class Worker {}
}
