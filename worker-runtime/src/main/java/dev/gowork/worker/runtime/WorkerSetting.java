package dev.gowork.worker.runtime;

/**
 * Every setting of a worker replica: its environment variable (the contract), its command-line flag
 * and its default, as {@code --help} shows them. Flags win over the environment, which wins over
 * defaults. The secret has no flag: it comes from the environment or a file only.
 */
public enum WorkerSetting {
  SECRET("GOWORK_SECRET", null, "required (or GOWORK_SECRET_FILE)",
      "the shared secret, at least 32 characters; environment only, never a flag"),
  SECRET_FILE("GOWORK_SECRET_FILE", "--secret-file", "none", "a file holding the shared secret"),
  COORDINATOR_URL("GOWORK_COORDINATOR_URL", "--coordinator-url", "http://127.0.0.1:8080",
      "the coordinator this worker registers with"),
  COORDINATOR_CA_FILE("GOWORK_COORDINATOR_CA_FILE", "--coordinator-ca-file", "the JVM's trust store",
      "a PEM file of the certificates to trust for an https:// coordinator URL (a private CA, or the coordinator's "
          + "own self-signed certificate), instead of the JVM's trust store"),
  QUEUE("GOWORK_QUEUE", "--queue", "default", "the queue this worker serves"),
  HANDLER("GOWORK_HANDLER", "--handler", "required",
      "the handler: a built-in (echo, sleep, fail, noop) or a WorkHandler class name"),
  CONCURRENCY("GOWORK_CONCURRENCY", "--concurrency", "the number of cores",
      "work items run at once, 1.." + WorkerSettings.MAX_CONCURRENCY + " (one share-group member each)"),
  BATCH_SIZE("GOWORK_BATCH_SIZE", "--batch-size", "1",
      "records each slot acquires per share fetch and runs back to back on one thread, 1.."
          + WorkerSettings.MAX_BATCH_SIZE + "; raise it (e.g. 64) for short handlers, keep 1 for long ones"),
  BOOTSTRAP_SERVERS("GOWORK_BOOTSTRAP_SERVERS", "--bootstrap-servers", "the coordinator's",
      "Kafka to use instead of the one the coordinator names"),
  TOPIC_PREFIX("GOWORK_TOPIC_PREFIX", "--topic-prefix", "the coordinator's",
      "topic prefix to use instead of the one the coordinator names"),
  SHUTDOWN_GRACE_SECONDS("GOWORK_SHUTDOWN_GRACE_SECONDS", "--shutdown-grace-seconds", "30",
      "on shutdown, how long running work may finish before it is cancelled and released"),
  WORKER_NAME("GOWORK_WORKER_NAME", "--name", "<host>-<pid>", "a name for this replica, told to the coordinator"),
  SHARE_LOCK_SECONDS("GOWORK_SHARE_LOCK_SECONDS", "--share-lock-seconds", "30",
      "the share group's record lock (set on the group at start; the broker bounds it)"),
  SHARE_DELIVERY_LIMIT("GOWORK_SHARE_DELIVERY_LIMIT", "--share-delivery-limit", "5",
      "deliveries of a record before the broker gives it up, 2..10 (set on the group at start)"),
  SHARE_HEARTBEAT_MS("GOWORK_SHARE_HEARTBEAT_MS", "--share-heartbeat-ms", "the broker's",
      "the share group's heartbeat interval (set on the group at start)"),
  DEAD_LETTER_TOPIC("GOWORK_DEAD_LETTER_TOPIC", "--dead-letter-topic", "none",
      "the share group's dead-letter topic, e.g. dlq.<prefix>.work.<queue> (set on the group at start)"),
  WORK_PARTITIONS("GOWORK_WORK_PARTITIONS", "--work-partitions", "3",
      "partitions of the work topic when this worker creates it"),
  REPLICATION_FACTOR("GOWORK_REPLICATION_FACTOR", "--replication-factor", "1",
      "replication factor of the work topic when this worker creates it"),
  CANCEL_GRACE_MS("GOWORK_CANCEL_GRACE_MS", "--cancel-grace-ms", "2000",
      "after asking a handler to stop (its deadline passed, or the work was cancelled), how long before its thread is interrupted"),
  RUNNING_NOTICE_MS("GOWORK_RUNNING_NOTICE_MS", "--running-notice-ms", "1000",
      "once a handler has run this long, the worker tells the coordinator, which shows the work as running (and "
          + "fires work_started), 0..3600000; shorter work sends nothing extra"),
  HANDSHAKE_ATTEMPTS("GOWORK_HANDSHAKE_ATTEMPTS", "--handshake-attempts", "20",
      "tries to reach the coordinator at start (with backoff up to 5 s) before giving up"),
  HTTP_PORT("GOWORK_WORKER_HTTP_PORT", "--http-port", "none",
      "port of this replica's /healthz, /readyz and /metrics, 0..65535 (0 = any free port); none serves no HTTP"),
  HTTP_HOST("GOWORK_WORKER_HTTP_HOST", "--http-host", "0.0.0.0",
      "address that /healthz, /readyz and /metrics bind to when GOWORK_WORKER_HTTP_PORT is set"),
  KAFKA_PROPERTIES_FILE("GOWORK_KAFKA_PROPERTIES_FILE", "--kafka-properties-file", "none",
      "a Java properties file of Kafka client settings (TLS, SASL, ...); GOWORK_KAFKA_<NAME> variables override it"),
  KAFKA("GOWORK_KAFKA_*", null, "none",
      "Kafka client properties, e.g. GOWORK_KAFKA_SECURITY_PROTOCOL=SSL sets security.protocol=SSL");

  private final String env;
  private final String flag;
  private final String defaultText;
  private final String description;

  WorkerSetting(String env, String flag, String defaultText, String description) {
    this.env = env;
    this.flag = flag;
    this.defaultText = defaultText;
    this.description = description;
  }

  /** The environment variable, e.g. {@code GOWORK_QUEUE}. */
  public String env() {
    return env;
  }

  /** The command-line flag, e.g. {@code --queue}, or {@code null} when there is none. */
  public String flag() {
    return flag;
  }

  /** The default, as words for {@code --help}. */
  public String defaultText() {
    return defaultText;
  }

  public String description() {
    return description;
  }

  /** The error for a bad value: names this setting, what it must be, and the value (cut at 120 characters). */
  public dev.gowork.broker.GoWorkException invalid(Object value, String expected) {
    String shown = String.valueOf(value);
    shown = shown.length() > 120 ? shown.substring(0, 120) + "…" : shown;
    return new dev.gowork.broker.GoWorkException(dev.gowork.broker.ErrorCode.INVALID_ARGUMENT,
        label() + " must be " + expected + "; was '" + shown + "'");
  }

  /** How error messages name it: {@code GOWORK_QUEUE (--queue)}. */
  public String label() {
    return flag == null ? env : env + " (" + flag + ")";
  }
}
