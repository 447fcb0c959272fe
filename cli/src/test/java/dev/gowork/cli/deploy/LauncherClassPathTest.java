package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code gowork} launcher with a handler class from a jar of its own in {@code GOWORK_CLASSPATH},
 * as docs/worker.md tells users to. The launcher runs from a copy of the repository's root holding only
 * itself and its jar and lib folders (so it builds nothing); the cli's classes come through
 * {@code GOWORK_CLASSPATH} too, after the handler's jar.
 */
class LauncherClassPathTest {
  private static final String HANDLER = """
      package example;

      import com.fasterxml.jackson.databind.JsonNode;
      import dev.gowork.worker.handler.WorkContext;
      import dev.gowork.worker.handler.WorkHandler;

      public final class Shout implements WorkHandler {
        public Shout() {
          System.err.println("Shout loaded; class path " + System.getProperty("java.class.path"));
        }

        @Override
        public JsonNode handle(JsonNode data, WorkContext ctx) {
          return data;
        }
      }
      """;

  @Test
  void aHandlerJarInGoworkClasspathIsLoadedAfterTheBuiltInJars(@TempDir Path dir) throws Exception {
    Path root = Files.createDirectories(dir.resolve("repo"));
    Path launcher = Files.copy(RepoFiles.locate().path("gowork"), root.resolve("gowork"));
    Path lib = Files.createDirectories(root.resolve("cli/target/lib"));
    Path cliJar = jar(root.resolve("cli/target/gowork-cli.jar"), Map.of());
    Path libJar = jar(lib.resolve("built-in.jar"), Map.of());
    Path handlerJar = jar(dir.resolve("handlers/shout.jar"), compile(dir.resolve("src")));

    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (!k.startsWith("GOWORK_")) {
        env.put(k, v);
      }
    });
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("JAVA_TOOL_OPTIONS", String.join(" ", Console.CHILD_JVM_OPTIONS));
    env.put("GOWORK_CLASSPATH", handlerJar + File.pathSeparator + System.getProperty("java.class.path"));
    env.put("GOWORK_HANDLER", "example.Shout");
    env.put("GOWORK_SECRET", "a-secret-of-at-least-32-characters-0123");
    env.put("GOWORK_COORDINATOR_URL", "http://127.0.0.1:" + closedPort());
    env.put("GOWORK_HANDSHAKE_ATTEMPTS", "1");

    ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "worker").redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);

    // Loaded (the worker then fails its one handshake attempt: no coordinator listens there).
    assertTrue(output.contains("Shout loaded; class path "), output);
    assertEquals(1, p.exitValue(), output);
    String line = output.lines().filter(l -> l.startsWith("Shout loaded")).findFirst().orElseThrow();
    List<String> classPath = List.of(line.substring(line.indexOf("class path ") + 11).split(File.pathSeparator));
    assertEquals(List.of(cliJar.toString(), libJar.toString(), handlerJar.toString()), classPath.subList(0, 3),
        "the launcher's jars, then GOWORK_CLASSPATH's");
  }

  /** Compiles {@link #HANDLER} against this JVM's class path; returns its class files by jar entry name. */
  private static Map<String, byte[]> compile(Path src) throws IOException {
    Path source = Files.createDirectories(src.resolve("example")).resolve("Shout.java");
    Files.writeString(source, HANDLER);
    Path classes = Files.createDirectories(src.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int code = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        source.toString());
    assertEquals(0, code, "javac");
    return Map.of("example/Shout.class", Files.readAllBytes(classes.resolve("example/Shout.class")));
  }

  private static Path jar(Path file, Map<String, byte[]> entries) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        jar.putNextEntry(new JarEntry(e.getKey()));
        jar.write(e.getValue());
        jar.closeEntry();
      }
    }
    return file;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
