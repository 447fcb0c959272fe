package dev.gowork.coordinator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.gowork.broker.ErrorCode;
import dev.gowork.broker.GoWorkException;
import dev.gowork.broker.signing.Signatures;
import dev.gowork.broker.wire.WireCodec;
import dev.gowork.coordinator.ClosingException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one handler of the server: finds the route (404 for an unknown path, 405 for a known path
 * with another method; {@code HEAD} runs the {@code GET} route and sends its headers), checks access,
 * runs the route's handler, turns exceptions into JSON errors,
 * writes the answer and counts it by route and status.
 */
final class Router implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  static final String WORKER_ID_HEADER = "X-Gowork-Worker-Id";
  private static final int MAX_PATH_SHOWN = 200;
  private static final java.time.Duration BUSY_WAIT = java.time.Duration.ofSeconds(1);

  private final List<Route> routes;
  private final String apiToken;
  private final WireCodec writer;
  private final RequestCounter counter;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Requests answered 503 because the coordinator is closing (this router, or the work server). */
  private final java.util.concurrent.atomic.AtomicLong refusedAtClose = new java.util.concurrent.atomic.AtomicLong();
  /** Answers not written yet (long polls). */
  private final Set<CompletableFuture<Answer>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  /** At most this many requests run at once outside {@link #alwaysServed}; null: no limit. */
  private final Semaphore busy;
  private final int maxBusy;
  private final Set<String> alwaysServed;

  Router(List<Route> routes, String apiToken, WireCodec writer, RequestCounter counter) {
    this(routes, apiToken, writer, counter, 0, Set.of());
  }

  /**
   * A router that runs at most {@code maxBusy} requests at once (0: no limit), except on the routes
   * {@code alwaysServed} (by template): with the server's threads one more than that at least, a
   * probe finds a thread within about a second while every other one waits on Kafka. A request
   * beyond the limit waits up to a second for its turn, then gets 503.
   */
  Router(List<Route> routes, String apiToken, WireCodec writer, RequestCounter counter, int maxBusy,
      Set<String> alwaysServed) {
    this.routes = List.copyOf(routes);
    this.apiToken = apiToken;
    this.writer = writer;
    this.counter = counter;
    this.maxBusy = maxBusy;
    this.busy = maxBusy > 0 ? new Semaphore(maxBusy) : null;
    this.alwaysServed = Set.copyOf(alwaysServed);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      answer(exchange);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Takes a permit, waiting up to {@link #BUSY_WAIT}: long enough for a burst of quick requests (a
   * dashboard refresh is four), short enough that a probe queued behind requests stuck on Kafka
   * still gets a thread within its timeout.
   */
  private boolean acquire() {
    try {
      return busy.tryAcquire(BUSY_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** From now on every request gets 503, so that the ones in flight can finish. */
  void startClosing() {
    closing = true;
    for (CompletableFuture<Answer> later : pending) {
      if (later.complete(shuttingDown())) {
        refusedAtClose.incrementAndGet();
      }
    }
  }

  private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT",
      "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

  int inFlight() {
    return inFlight.get();
  }

  /** How many requests were refused because the coordinator is closing. */
  long refusedAtClose() {
    return refusedAtClose.get();
  }

  private void answer(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String routeMethod = "HEAD".equals(method) ? "GET" : method;
    String rawPath = exchange.getRequestURI().getRawPath();
    String routeName = "unmatched";
    Answer answer;
    try {
      List<String> path = Call.split(rawPath == null ? "/" : rawPath);
      Route route = null;
      Map<String, String> params = null;
      TreeSet<String> allowed = new TreeSet<>();
      // Only the templates with the most literal segments count: /v1/work/next is that route's path
      // (a wrong method there is a 405), never the id "next" of /v1/work/{id}.
      int best = -1;
      String bestTemplate = null;
      for (Route r : routes) {
        Map<String, String> p = r.match(path);
        if (p == null || r.literals() < best) {
          continue;
        }
        if (r.literals() > best) {
          best = r.literals();
          bestTemplate = r.template();
          allowed.clear();
          route = null;
          params = null;
        }
        allowed.add(r.method());
        if (r.method().equals("GET")) {
          allowed.add("HEAD");
        }
        if (route == null && r.method().equals(routeMethod)) {
          route = r;
          params = p;
        }
      }
      if (closing) {
        answer = shuttingDown();
        refusedAtClose.incrementAndGet();
      } else if (route == null) {
        if (!allowed.isEmpty()) {
          routeName = bestTemplate;
        }
        answer = allowed.isEmpty() ? notFound(method, rawPath) : notAllowed(method, rawPath, allowed);
      } else {
        routeName = route.template();
        boolean limited = busy != null && !alwaysServed.contains(route.template());
        if (limited && !acquire()) {
          answer = ErrorAnswers.error(503, ErrorCode.UNAVAILABLE, "the coordinator is busy: " + maxBusy
              + " requests are in progress (is Kafka slow to answer?); try again shortly").withHeader("Retry-After", "1");
        } else {
          try {
            Call call = new Call(exchange, route, params);
            authorize(route.access(), call);
            answer = route.handler().handle(call);
          } finally {
            if (limited) {
              busy.release();
            }
          }
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof ClosingException) {
        refusedAtClose.incrementAndGet();
      }
      answer = ErrorAnswers.of(e, shown(method) + " " + shown(rawPath));
    }
    if (answer.later() != null) {
      answerLater(exchange, method, rawPath, routeName, answer.later());
      return;
    }
    // The method is the caller's text: only the standard ones become a metric label.
    counter.count(STANDARD_METHODS.contains(method) ? method : "other", routeName, answer.status());
    write(exchange, answer);
  }

  /**
   * Writes {@code later} when it completes, on the thread that completes it; no HTTP thread waits
   * meanwhile. It counts as in flight until written, and closing answers it at once with 503.
   */
  private void answerLater(HttpExchange exchange, String method, String rawPath, String routeName,
      CompletableFuture<Answer> later) {
    inFlight.incrementAndGet();
    pending.add(later);
    if (closing) {
      if (later.complete(shuttingDown())) {
        refusedAtClose.incrementAndGet();
      }
    }
    later.whenComplete((a, e) -> {
      try {
        pending.remove(later);
        Answer done = a;
        if (e != null) {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          done = ErrorAnswers.of(cause instanceof RuntimeException r ? r : new IllegalStateException(cause),
              shown(method) + " " + shown(rawPath));
        }
        counter.count(STANDARD_METHODS.contains(method) ? method : "other", routeName, done.status());
        write(exchange, done);
      } finally {
        inFlight.decrementAndGet();
      }
    });
  }

  /** As every 503 of the API, with {@code Retry-After}: an HTTP worker or producer tries again, not gives up. */
  private static Answer shuttingDown() {
    return ErrorAnswers.error(503, ErrorCode.UNAVAILABLE, "the coordinator is shutting down")
        .withHeader("Retry-After", ErrorAnswers.RETRY_AFTER_SECONDS);
  }

  private void authorize(Access access, Call call) {
    if (access == Access.PRODUCER && !Signatures.constantTimeEquals(apiToken, call.bearer())) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED,
          "missing or wrong API token: send 'Authorization: Bearer <GOWORK_API_TOKEN>'");
    }
    if (access == Access.WORKER && (call.header(WORKER_ID_HEADER) == null || call.bearer() == null)) {
      throw new GoWorkException(ErrorCode.UNAUTHENTICATED,
          "a worker call needs the headers '" + WORKER_ID_HEADER + ": <workerId>' and 'Authorization: Bearer <sessionKey>'");
    }
  }

  private static Answer notFound(String method, String rawPath) {
    return ErrorAnswers.error(404, ErrorCode.NOT_FOUND, "no such endpoint: " + shown(method) + " " + shown(rawPath));
  }

  private static Answer notAllowed(String method, String rawPath, TreeSet<String> allowed) {
    return ErrorAnswers.error(405, ErrorCode.INVALID_ARGUMENT, "method " + shown(method) + " is not allowed on "
        + shown(rawPath) + "; use " + String.join(" or ", allowed)).withHeader("Allow", String.join(", ", allowed));
  }

  private void write(HttpExchange exchange, Answer a) {
    try (exchange) {
      byte[] body = a.json() != null ? writer.write(a.json()) : a.raw();
      if (a.contentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", a.contentType());
      }
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      boolean noBody = body.length == 0 || a.status() == 204 || "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(a.status(), noBody ? -1 : body.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("writing the answer to {} {} failed: {}", exchange.getRequestMethod(), shown(exchange.getRequestURI()
          .getRawPath()), e.toString());
    }
  }

  /** Counts answered requests, e.g. into metrics. */
  @FunctionalInterface
  interface RequestCounter {
    void count(String method, String route, int status);
  }

  private static String shown(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > MAX_PATH_SHOWN ? s.substring(0, MAX_PATH_SHOWN) + "…" : s;
  }
}
