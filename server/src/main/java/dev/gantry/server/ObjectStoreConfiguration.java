package dev.gantry.server;

import dev.gantry.model.ObjectStore;
import dev.gantry.objects.LocalObjectStore;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Chooses the object store both roles share: the worker writes evidence and audit blobs, the API
 * reads (and verifies) them. Today a directory, {@code gantry.objects.dir} (default {@code
 * <data-dir>/objects}); S3 will be the second implementation of {@link ObjectStore}.
 */
@Configuration(proxyBeanMethods = false)
public class ObjectStoreConfiguration {

  @Bean
  ObjectStore objectStore(Environment env) {
    String dir = env.getProperty("gantry.objects.dir");
    return new LocalObjectStore(dir != null ? Path.of(dir) : Path.of(env.getRequiredProperty("gantry.data-dir")).resolve("objects"));
  }
}
