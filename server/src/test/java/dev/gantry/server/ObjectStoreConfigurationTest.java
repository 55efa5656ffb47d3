package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.model.ObjectStore;
import dev.gantry.objects.LocalObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The server chooses the one object store whatever roles it hosts: the worker writes through it, the API reads. */
class ObjectStoreConfigurationTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"api", "worker", "api,worker"})
  void everyRoleGetsTheDirectoryUnderTheDataDirByDefault(String roles) {
    new ApplicationContextRunner()
        .withUserConfiguration(ObjectStoreConfiguration.class)
        .withPropertyValues("gantry.roles=" + roles, "gantry.data-dir=" + dir)
        .run(context -> {
          assertThat(context).hasSingleBean(ObjectStore.class);
          assertThat(context.getBean(ObjectStore.class)).isInstanceOfSatisfying(LocalObjectStore.class,
              s -> assertThat(s.root()).isEqualTo(dir.resolve("objects").toAbsolutePath().normalize()));
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"api", "worker"})
  void gantryObjectsDirChoosesTheDirectory(String roles) {
    new ApplicationContextRunner()
        .withUserConfiguration(ObjectStoreConfiguration.class)
        .withPropertyValues("gantry.roles=" + roles, "gantry.data-dir=" + dir, "gantry.objects.dir=" + dir.resolve("blobs"))
        .run(context -> {
          ObjectStore store = context.getBean(ObjectStore.class);
          assertThat(store).isInstanceOfSatisfying(LocalObjectStore.class, s -> assertThat(s.root()).isEqualTo(dir.resolve("blobs")));
          String id = store.put(new byte[] {1, 2, 3});
          assertThat(store.get(id)).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
        });
  }
}
