package dev.gantry.objects;

import dev.gantry.model.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The {@link ObjectStore} of the embedded default: content-addressed blobs in a directory, {@code
 * <root>/sha256/<2 hex>/<62 hex>}. A blob is written once (atomically, so a crash leaves no torn
 * file) and checked against its name on every read, so a corrupted or edited file is refused
 * rather than served. The server's wiring chooses it (S3 will be the other implementation).
 */
public final class LocalObjectStore implements ObjectStore {
  private final Path root;

  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public String put(byte[] content) {
    String id = "sha256:" + ObjectStore.sha256(content);
    Path target = path(id);
    if (Files.exists(target)) {
      return id;
    }
    try {
      Files.createDirectories(target.getParent());
      Path temp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
      try {
        Files.write(temp, content);
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
          // another writer stored the same bytes first: same name, same content
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("object store " + root + ": could not write " + id, e);
    }
  }

  @Override
  public Optional<byte[]> get(String id) {
    Path p = path(id);
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    try {
      byte[] content = Files.readAllBytes(p);
      String actual = "sha256:" + ObjectStore.sha256(content);
      if (!actual.equals(id)) {
        throw new IllegalStateException("object store " + root + ": " + p + " holds " + actual + ", not " + id + "; refusing a corrupted blob");
      }
      return Optional.of(content);
    } catch (IOException e) {
      throw new UncheckedIOException("object store " + root + ": could not read " + id, e);
    }
  }

  private Path path(String id) {
    if (!ObjectStore.isId(id)) {
      throw new IllegalArgumentException("not a content address: '" + id + "' (expected sha256:<64 lowercase hex>)");
    }
    String hex = id.substring("sha256:".length());
    return root.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2));
  }
}
