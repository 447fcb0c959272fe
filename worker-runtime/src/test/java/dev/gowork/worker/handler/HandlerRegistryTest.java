package dev.gowork.worker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {
  final HandlerRegistry registry = HandlerRegistry.builtIns();
  final TestContext ctx = new TestContext();

  @Test
  void builtInsAreEchoSleepFailNoop() throws Exception {
    assertEquals(Set.of("echo", "sleep", "fail", "noop"), registry.names());
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("x", 1);
    assertEquals(data, registry.resolve("echo").handle(data, ctx));
    assertNull(registry.resolve("noop").handle(data, ctx));
    assertEquals(data, registry.resolve(" sleep ").handle(data, ctx));
  }

  @Test
  void failThrowsWithTheDataMessage() {
    WorkHandler fail = registry.resolve("fail");
    Exception e = assertThrows(Exception.class,
        () -> fail.handle(JsonNodeFactory.instance.objectNode().put("message", "boom"), ctx));
    assertEquals("boom", e.getMessage());
    assertEquals(FailHandler.DEFAULT_MESSAGE,
        assertThrows(Exception.class, () -> fail.handle(JsonNodeFactory.instance.objectNode(), ctx)).getMessage());
  }

  @Test
  void sleepWaitsAndStopsWhenCancelled() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      ObjectNode data = JsonNodeFactory.instance.objectNode().put("ms", 60_000);
      Future<JsonNode> f = pool.submit(() -> registry.resolve("sleep").handle(data, ctx));
      ctx.cancel.complete(null);
      Exception e = assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof CancellationException, e.toString());
    } finally {
      pool.shutdownNow();
    }
    assertThrows(IllegalArgumentException.class,
        () -> registry.resolve("sleep").handle(JsonNodeFactory.instance.objectNode().put("ms", -1), ctx));
  }

  @Test
  void aSleepOfASecondOrMoreReportsItsProgress() throws Exception {
    registry.resolve("sleep").handle(JsonNodeFactory.instance.objectNode().put("ms", 1_200), ctx);
    // Every half second of a 1.2 s sleep: one or two reports, however slow the machine.
    int reports = ctx.progress.size();
    assertTrue(reports >= 1 && reports <= 2, ctx.progress.toString());
    assertTrue(ctx.progress.stream().allMatch(p -> p.matches("[1-9][0-9]% slept \\d+ of 1200 ms")), ctx.progress.toString());
    registry.resolve("sleep").handle(JsonNodeFactory.instance.objectNode().put("ms", 300), ctx);
    assertEquals(reports, ctx.progress.size(), "a short sleep reports nothing");
    assertThrows(IllegalArgumentException.class, () -> ctx.progress(101, null));
  }

  @Test
  void aClassNameIsInstantiated() {
    assertTrue(registry.resolve(Upper.class.getName()) instanceof Upper);
    WorkHandler mine = (d, c) -> d;
    assertSame(mine, registry.with("mine", mine).resolve("mine"));
  }

  @Test
  void unknownOrUnfitNamesAreInvalidArgumentsNamingTheSetting() {
    for (String bad : new String[] {"nope", "", null, String.class.getName(), NoDefaultConstructor.class.getName(),
        Hidden.class.getName()}) {
      GoWorkException e = assertThrows(GoWorkException.class, () -> registry.resolve(bad), "for " + bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("GOWORK_HANDLER"), e.getMessage());
    }
  }

  @Test
  void aClassThatIsThereButCannotBeInitialisedIsNotCalledMissing() {
    GoWorkException e = assertThrows(GoWorkException.class, () -> registry.resolve(BrokenStatic.class.getName()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("GOWORK_HANDLER") && e.getMessage().contains("was found but cannot be loaded")
        && e.getMessage().contains("no database configured"), e.getMessage());
    String absent = assertThrows(GoWorkException.class, () -> registry.resolve("com.example.Absent")).getMessage();
    assertTrue(absent.contains("nor a class on the classpath"), absent);
  }

  @Test
  void aClassNotFoundSaysWhereTheLauncherLooksForJars() {
    String absent = assertThrows(GoWorkException.class, () -> registry.resolve("com.example.Resize")).getMessage();
    assertTrue(absent.endsWith("with ./gowork name its jar (or class folder) in GOWORK_CLASSPATH"), absent);
  }

  public static final class BrokenStatic implements WorkHandler {
    static final String CONFIG = load();

    private static String load() {
      throw new IllegalStateException("no database configured");
    }

    @Override
    public JsonNode handle(JsonNode data, WorkContext ctx) {
      return data;
    }
  }

  public static final class Upper implements WorkHandler {
    @Override
    public JsonNode handle(JsonNode data, WorkContext ctx) {
      return JsonNodeFactory.instance.textNode(data.asText().toUpperCase(java.util.Locale.ROOT));
    }
  }

  public static final class NoDefaultConstructor implements WorkHandler {
    public NoDefaultConstructor(String s) {}

    @Override
    public JsonNode handle(JsonNode data, WorkContext ctx) {
      return data;
    }
  }

  static final class Hidden implements WorkHandler {
    @Override
    public JsonNode handle(JsonNode data, WorkContext ctx) {
      return data;
    }
  }

  static final class TestContext implements WorkContext {
    final CompletableFuture<Void> cancel = new CompletableFuture<>();
    final java.util.List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void progress(int percent, String message) {
      WorkContext.super.progress(percent, message);
      progress.add(percent + "% " + message);
    }

    @Override
    public String workId() {
      return "w";
    }

    @Override
    public String queue() {
      return "default";
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public Instant deadline() {
      return Instant.MAX;
    }

    @Override
    public Duration remaining() {
      return Duration.ofDays(1);
    }

    @Override
    public boolean isCancelled() {
      return cancel.isDone();
    }

    @Override
    public CompletionStage<Void> cancellation() {
      return cancel.minimalCompletionStage();
    }
  }
}
