package dev.gantry.server;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.constant.ClassDesc;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.zip.ZipFile;

/**
 * Which classes the packaged Spring Boot jar's code refers to but does not carry. Reads the jar as
 * it ships (BOOT-INF/classes and every BOOT-INF/lib jar, nothing from the build's classpath),
 * walks the constant pools from Gantry's own classes through every library class they reach, and
 * reports each referenced class that is neither in the jar nor in the JDK, with the class that
 * first referred to it. A test-scoped declaration that demotes a runtime dependency out of the jar
 * shows here as a package of holes (org.bouncycastle.tsp, once).
 */
final class JarClosure {
  /** Where each class the jar carries lives: its bytes, read lazily. */
  private final Map<String, byte[]> classes = new HashMap<>();
  private final Set<String> jdk = new HashSet<>();

  record Hole(String missing, String referredToBy) {}

  record Result(int reached, Map<String, TreeSet<String>> holesByPackage, Map<String, String> firstReferrer) {}

  JarClosure(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      var entries = zip.entries();
      while (entries.hasMoreElements()) {
        var e = entries.nextElement();
        String name = e.getName();
        if (name.startsWith("BOOT-INF/classes/") && name.endsWith(".class")) {
          try (InputStream in = zip.getInputStream(e)) {
            classes.put(internal(name.substring("BOOT-INF/classes/".length())), in.readAllBytes());
          }
        } else if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
          try (var lib = new JarInputStream(zip.getInputStream(e))) {
            JarEntry le;
            while ((le = lib.getNextJarEntry()) != null) {
              String n = le.getName();
              // multi-release jars: the versioned copy is the same class
              if (n.startsWith("META-INF/versions/")) {
                n = n.replaceFirst("^META-INF/versions/\\d+/", "");
              }
              if (n.endsWith(".class") && !n.endsWith("module-info.class")) {
                classes.putIfAbsent(internal(n), lib.readAllBytes());
              }
            }
          }
        }
      }
    }
    FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
    try (var walk = Files.walk(jrt.getPath("/modules"))) {
      walk.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
        // /modules/<module>/java/lang/String.class
        String s = p.toString();
        int slash = s.indexOf('/', "/modules/".length());
        jdk.add(internal(s.substring(slash + 1)));
      });
    }
  }

  int size() {
    return classes.size();
  }

  boolean carries(String internalName) {
    return classes.containsKey(internalName);
  }

  /** Every hole reachable from the classes {@code roots} accepts (internal names, e.g. dev/gantry/…). */
  Result walk(Predicate<String> roots) {
    var queue = new ArrayDeque<String>();
    var seen = new HashSet<String>();
    classes.keySet().stream().filter(roots).sorted().forEach(c -> {
      seen.add(c);
      queue.add(c);
    });
    Map<String, String> firstReferrer = new TreeMap<>();
    while (!queue.isEmpty()) {
      String c = queue.poll();
      ClassModel model = ClassFile.of().parse(classes.get(c));
      for (PoolEntry entry : model.constantPool()) {
        if (!(entry instanceof ClassEntry ce)) {
          continue;
        }
        String ref = element(ce.asInternalName());
        if (ref == null || !seen.add(ref)) {
          continue;
        }
        if (classes.containsKey(ref)) {
          queue.add(ref);
        } else if (!jdk.contains(ref)) {
          firstReferrer.put(ref, c);
        }
      }
    }
    Map<String, TreeSet<String>> byPackage = new TreeMap<>();
    firstReferrer.keySet().forEach(m -> byPackage.computeIfAbsent(pkg(m), k -> new TreeSet<>()).add(m));
    return new Result(seen.size(), byPackage, firstReferrer);
  }

  /** An array class entry ([Lfoo/Bar;) names its element; primitives arrays name nothing. */
  private static String element(String name) {
    if (!name.startsWith("[")) {
      return name;
    }
    ClassDesc d = ClassDesc.ofDescriptor(name);
    while (d.isArray()) {
      d = d.componentType();
    }
    if (d.isPrimitive()) {
      return null;
    }
    String desc = d.descriptorString();
    return desc.substring(1, desc.length() - 1);
  }

  static String pkg(String internalName) {
    int i = internalName.lastIndexOf('/');
    return i < 0 ? "" : internalName.substring(0, i).replace('/', '.');
  }

  private static String internal(String path) {
    return path.substring(0, path.length() - ".class".length());
  }
}
