package dev.gowork.cli.demo;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.TreeSet;

/** Stand-ins for the coordinator and worker mains, run as child JVMs by {@link LocalClusterTest}. */
final class FakeMains {
  private FakeMains() {}

  /** Fails at once, as a coordinator with a bad setting would. */
  static final class ExitAtOnce {
    public static void main(String[] args) {
      System.out.println("cannot start: boom");
      System.exit(3);
    }
  }

  /** Never answers /readyz. */
  static final class NeverReady {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("starting forever");
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** Answers GET /readyz and /v1/workers (one active, one pending) on GOWORK_HTTP_PORT; prints its GOWORK_* variables. */
  static final class Ready {
    public static void main(String[] args) throws Exception {
      System.out.println("env " + new TreeSet<>(System.getenv().keySet().stream().filter(k -> k.startsWith("GOWORK_")).toList()));
      int port = Integer.parseInt(System.getenv("GOWORK_HTTP_PORT"));
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      server.createContext("/readyz", x -> {
        x.sendResponseHeaders(200, -1);
        x.close();
      });
      server.createContext("/v1/workers", x -> {
        byte[] body = "{\"workers\":[{\"workerId\":\"w-1\",\"state\":\"active\"},{\"workerId\":\"w-2\",\"state\":\"pending\"}]}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
        x.close();
      });
      server.start();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
