package dev.gowork.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a bash harness that sources deploy/local/gowork-local (which then only defines its functions) and
 * replaces some of them with fakes, so one function can be driven without real processes.
 */
final class SourcedScript {
  /** What the harness printed (stdout and stderr) and its exit code. */
  record Run(int code, String output) {}

  private SourcedScript() {}

  /**
   * Runs {@code harness} with the script's path as $1 and {@code args} after it, in {@code runDir}, with no
   * GOWORK_* variable from this JVM but {@code env}.
   */
  static Run run(Path runDir, String harness, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "-c", harness, "harness",
        RepoFiles.locate().path("deploy/local/gowork-local").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(runDir, "harness", ".out");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("GOWORK_"));
    pb.environment().put("GOWORK_LOCAL_DIR", runDir.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the harness did not finish");
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
