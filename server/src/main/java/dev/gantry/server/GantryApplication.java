package dev.gantry.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The one runnable jar: roles api and/or worker, embedded mode, and the demo. */
@SpringBootApplication
@EnableConfigurationProperties(GantryProperties.class)
public class GantryApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("verify")) {
      // offline commands: no Spring context, no server
      System.exit(dev.gantry.server.cli.GantryCli.run(args));
    }
    carriers();
    SpringApplication.run(GantryApplication.class, absoluteDataDir(args));
  }

  /**
   * More carrier threads for virtual threads than cores, unless the operator chose: a virtual
   * thread waiting for a class to be initialized pins its carrier, and with one carrier per core
   * (two here) a few such waiters stop every other virtual thread (see the worker's WarmUp). Set
   * before the first virtual thread exists, which is why it is here.
   */
  static void carriers() {
    if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(Math.max(16, cores)));
    }
  }

  /** Paths derived from the data dir (OCI layouts, git remotes) must be absolute to be allowed. */
  static String[] absoluteDataDir(String[] args) {
    List<String> out = new ArrayList<>();
    boolean given = false;
    for (String a : args) {
      if (a.startsWith("--gantry.data-dir=")) {
        given = true;
        a = "--gantry.data-dir=" + Path.of(a.substring("--gantry.data-dir=".length())).toAbsolutePath().normalize();
      }
      out.add(a);
    }
    if (!given && System.getProperty("gantry.data-dir") == null && System.getenv("GANTRY_DATA_DIR") == null) {
      out.add("--gantry.data-dir=" + Path.of(".gantry").toAbsolutePath().normalize());
    }
    return out.toArray(String[]::new);
  }
}
