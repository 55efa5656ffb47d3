package dev.gantry.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {
  @TempDir Path root;

  @Test
  void aBlobIsNamedByItsSha256AndStoredOnce() throws Exception {
    ObjectStore store = new LocalObjectStore(root);
    byte[] content = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    String id = store.put(content);

    assertThat(id).isEqualTo("sha256:" + ObjectStore.sha256(content));
    assertThat(store.put(content)).isEqualTo(id);
    String hex = id.substring("sha256:".length());
    assertThat(root.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2))).hasBinaryContent(content);
    try (var files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile)).hasSize(1);
    }
    assertThat(store.get(id)).hasValue(content);
  }

  @Test
  void anAbsentBlobIsEmpty() {
    assertThat(new LocalObjectStore(root).get("sha256:" + "0".repeat(64))).isEmpty();
  }

  @Test
  void anEditedBlobIsRefusedOnRead() throws Exception {
    ObjectStore store = new LocalObjectStore(root);
    String id = store.put("original".getBytes(StandardCharsets.UTF_8));
    String hex = id.substring("sha256:".length());
    Files.writeString(root.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2)), "edited");

    assertThatThrownBy(() -> store.get(id)).isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing a corrupted blob");
  }

  @Test
  void onlyContentAddressesAreNames() {
    ObjectStore store = new LocalObjectStore(root);
    assertThat(ObjectStore.isId("sha256:" + "a".repeat(64))).isTrue();
    assertThat(ObjectStore.isId("sha256:" + "A".repeat(64))).isFalse();
    assertThat(ObjectStore.isId("sha256:" + "a".repeat(63))).isFalse();
    assertThat(ObjectStore.isId(null)).isFalse();
    assertThatThrownBy(() -> store.get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
  }
}
