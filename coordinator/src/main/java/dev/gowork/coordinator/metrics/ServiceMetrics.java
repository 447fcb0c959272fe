package dev.gowork.coordinator.metrics;

import dev.gowork.coordinator.WorkServer;
import dev.gowork.coordinator.work.WorkState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The service's Prometheus metrics: work counters and latency from the server's events, queue and
 * worker gauges, handler errors, HTTP requests by route and status, and the JVM's own.
 *
 * <pre>{@code
 * ServiceMetrics metrics = ServiceMetrics.bind(server);   // before server.start(), to count every event
 * String text = metrics.scrape();                        // for GET /metrics
 * }</pre>
 *
 * Thread-safe.
 */
public final class ServiceMetrics implements AutoCloseable {
  /** The Prometheus text format's content type. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final StateGauges gauges;

  private ServiceMetrics(WorkServer server) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    FunctionCounter.builder("gowork.handler.errors", server, WorkServer::handlerFailures)
        .description("Event handler or listener calls that threw").register(registry);
    Gauge.builder("gowork.dead.letters", server, WorkServer::deadCount)
        .description("Dead letters held (listed and requeueable)").register(registry);
    FunctionCounter.builder("gowork.dead.forgotten", server, WorkServer::deadForgotten)
        .description("Dead letters forgotten for being older than the retention or beyond the cap").register(registry);
    FunctionCounter.builder("gowork.transactions.hanging.aborted", server, WorkServer::hangingTransactionsAborted)
        .description("Transactions found hanging on the coordinator's partitions (a broker stopped uncleanly) and "
            + "aborted, one per partition").register(registry);
    FunctionCounter.builder("gowork.transactions.abandoned.fenced", server, WorkServer::abandonedTransactionsFenced)
        .description("Transactional ids of coordinators gone from the group (killed, cut off) fenced to abort the "
            + "transaction they left open").register(registry);
    Gauge.builder("gowork.schedules", server, s -> s.schedules().size())
        .description("Schedules of repeating work defined for this topic prefix").register(registry);
    FunctionCounter.builder("gowork.schedule.runs", server, WorkServer::scheduleRuns)
        .description("Runs of schedules that added their work on this coordinator").register(registry);
    FunctionCounter.builder("gowork.schedule.run.failures", server, WorkServer::scheduleRunFailures)
        .description("Tries of a schedule's run that failed (each tried again 5 s later, and logged)")
        .register(registry);
    FunctionCounter.builder("gowork.queue.limit.refusals", server, WorkServer::queueLimitRefusals)
        .description("Requests refused for naming a new queue past GOWORK_MAX_QUEUES").register(registry);
    Gauge.builder("gowork.queues.paused", server, s -> s.pausedQueues().size())
        .description("Queues paused now: their work waits until they are resumed").register(registry);
    gauges = new StateGauges(registry, server::queueSizes, server::queueLoads, () -> server.workers().list(),
        server::shareGroups);
    server.onEvent(new EventCounters(registry,
        workId -> server.status(workId).map(s -> s.state() == WorkState.FAILED).orElse(false)));
  }

  /** Creates the metrics and subscribes them to {@code server}'s events. */
  public static ServiceMetrics bind(WorkServer server) {
    return new ServiceMetrics(server);
  }

  /** Adds {@code gowork_kafka_ready}: 1 while the last readiness check found Kafka answering, else 0. */
  public void watchKafka(java.util.function.DoubleSupplier ready) {
    // Held strongly: Micrometer keeps a gauge's object weakly, and nothing else holds this supplier, so
    // the gauge read NaN after the first collection.
    Gauge.builder("gowork.kafka.ready", ready, java.util.function.DoubleSupplier::getAsDouble)
        .description("1 while the last check (every 5 s) found Kafka answering and the topics there, else 0")
        .strongReference(true).register(registry);
  }

  /** Counts one answered HTTP request; {@code route} is the route's template, e.g. {@code /v1/work/{id}}. */
  public void httpRequest(String method, String route, int status) {
    Counter.builder("gowork.http.requests").description("HTTP requests answered, by route and status")
        .tags("method", method, "route", route, "status", Integer.toString(status)).register(registry).increment();
  }

  /** Every metric in the Prometheus text format ({@link #CONTENT_TYPE}). */
  public String scrape() {
    gauges.refresh();
    return registry.scrape();
  }

  /** The registry, to add meters of one's own. */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
