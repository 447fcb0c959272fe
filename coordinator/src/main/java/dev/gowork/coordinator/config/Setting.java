package dev.gowork.coordinator.config;

/**
 * Every setting that a flag may give: its env var, its flag, its default (or {@code null}) and what
 * it means. One table feeds {@code --help}, the list of env var names and the resolution order
 * (flag, then env var, then default). Secrets are not here: they are never flags.
 */
enum Setting {
  BOOTSTRAP_SERVERS("GOWORK_BOOTSTRAP_SERVERS", "--bootstrap-servers", "HOST:PORT[,...]", null,
      "Kafka brokers to use; unset starts an embedded single-node broker in this process."),
  EMBEDDED_KAFKA_PORT("GOWORK_EMBEDDED_KAFKA_PORT", "--embedded-kafka-port", "PORT", "9092",
      "Port of the embedded broker on 127.0.0.1 (0 = any free port)."),
  DATA_DIR("GOWORK_DATA_DIR", "--data-dir", "DIR", "./.gowork",
      "Folder where the embedded broker keeps its data."),
  TOPIC_PREFIX("GOWORK_TOPIC_PREFIX", "--topic-prefix", "PREFIX", "gowork",
      "Prefix <p> of every topic and group name (<p>.work.<queue>, <p>.results, <p>.events)."),
  INSTANCE_ID("GOWORK_INSTANCE_ID", "--instance-id", "ID", "0",
      "This coordinator's id among the coordinators of one prefix (1-64 of A-Z a-z 0-9 _ -): a replacement for a "
      + "crashed one takes its id (and fences it); coordinators with different ids run together and split the work."),
  HTTP_HOST("GOWORK_HTTP_HOST", "--http-host", "ADDRESS", null,
      "Address the HTTP API binds to; default 127.0.0.1 with the embedded broker, 0.0.0.0 with "
          + "GOWORK_BOOTSTRAP_SERVERS."),
  HTTP_PORT("GOWORK_HTTP_PORT", "--http-port", "PORT", "8080", "Port of the HTTP API (0 = any free port)."),
  MANAGEMENT_PORT("GOWORK_MANAGEMENT_PORT", "--management-port", "PORT", null,
      "Port of a second listener, on the same address, that serves only /healthz, /readyz and /metrics with "
          + "threads of its own, so probes answer while clients hold every API thread (0 = any free port); "
          + "unset: they are served on the API port only."),
  TLS_KEYSTORE("GOWORK_TLS_KEYSTORE", "--tls-keystore", "FILE", null,
      "A PKCS12 (or JKS) key store with the server's key and certificate: the API (and the management port) "
          + "then serve HTTPS only; its password comes from GOWORK_TLS_KEYSTORE_PASSWORD(_FILE). Unset: plain HTTP."),
  HTTP_THREADS("GOWORK_HTTP_THREADS", "--http-threads", "N", "16", "Threads that serve HTTP requests (1-256)."),
  MAX_BODY_BYTES("GOWORK_MAX_BODY_BYTES", "--max-body-bytes", "BYTES", "1048576",
      "Largest request body, except batches (1024 to 67108864)."),
  MAX_BATCH_BODY_BYTES("GOWORK_MAX_BATCH_BODY_BYTES", "--max-batch-body-bytes", "BYTES", "16777216",
      "Largest body of POST /v1/work/batch (at least the body limit, at most 268435456)."),
  SESSION_TTL_SECONDS("GOWORK_SESSION_TTL_SECONDS", "--session-ttl-seconds", "SECONDS", "3600",
      "How long a worker session lasts (60 to 604800)."),
  WORK_PARTITIONS("GOWORK_WORK_PARTITIONS", "--work-partitions", "N", "3",
      "Partitions of each new work topic (1-10000)."),
  REPLICATION_FACTOR("GOWORK_REPLICATION_FACTOR", "--replication-factor", "N", "1",
      "Replication factor of the topics the coordinator creates (1-32)."),
  MAX_QUEUES("GOWORK_MAX_QUEUES", "--max-queues", "N", "1000",
      "At most this many queues, i.e. work topics of the prefix (1-100000): work added to a further queue, or asked "
          + "for from one, is refused (409), so queue names taken from input cannot create topics without end."),
  SHARE_LOCK_SECONDS("GOWORK_SHARE_LOCK_SECONDS", "--share-lock-seconds", "SECONDS", "30",
      "How long a worker may hold a work record before it goes to another (the broker bounds it, 15-60 s by "
          + "default)."),
  SHARE_DELIVERY_LIMIT("GOWORK_SHARE_DELIVERY_LIMIT", "--share-delivery-limit", "N", "5",
      "Deliveries of one work record before the broker gives it up (2-10)."),
  SHARE_HEARTBEAT_MS("GOWORK_SHARE_HEARTBEAT_MS", "--share-heartbeat-ms", "MS", null,
      "Share-group heartbeat of the queues' workers; unset keeps the broker's (5000 unless lowered)."),
  SHARE_GROUP_CHECK_SECONDS("GOWORK_SHARE_GROUP_CHECK_SECONDS", "--share-group-check-seconds", "SECONDS", "15",
      "How often the members of each queue's share group and the brokers' group.share.max.size are read for GET "
          + "/v1/queues, the dashboard and the metrics (1-3600)."),
  FINISHED_RETENTION_SECONDS("GOWORK_FINISHED_RETENTION_SECONDS", "--finished-retention-seconds", "SECONDS", "3600",
      "How long completed, failed and timed-out work stays queryable by its id (1 to 604800); dead letters have "
          + "their own (GOWORK_DEAD_RETENTION_SECONDS)."),
  FINISHED_MAX_ITEMS("GOWORK_FINISHED_MAX_ITEMS", "--finished-max-items", "N", "100000",
      "At most this many of the last finished items stay queryable (0 to 100000000), so memory stays bounded at any "
          + "throughput; the events topic keeps every outcome."),
  DEAD_RETENTION_SECONDS("GOWORK_DEAD_RETENTION_SECONDS", "--dead-retention-seconds", "SECONDS", "604800",
      "How long dead letters stay listed and requeueable (1 to 31536000); 7 days is Kafka's default retention of "
          + "the work topics, which hold their payloads."),
  DEAD_MAX_ITEMS("GOWORK_DEAD_MAX_ITEMS", "--dead-max-items", "N", "10000",
      "At most this many of the last dead letters are kept (0 to 10000000); older ones are forgotten first, and "
          + "their work_dead events stay on the events topic."),
  RUN_HANDLERS_AT("GOWORK_RUN_HANDLERS_AT", "--run-handlers-at", "WHEN", "commit",
      "When in-process handlers see this coordinator's events: commit (once the transaction that carries the event "
          + "committed; never a change a crash takes back) or apply (as soon as the change is applied, sooner by the "
          + "transaction's time; after a crash a handler may see a change again, or one recorded differently)."),
  COMMIT_INTERVAL_MS("GOWORK_COMMIT_INTERVAL_MS", "--commit-interval-ms", "MS", "5",
      "How often at most the coordinator starts a Kafka transaction (0 to 10000; 0: as soon as the previous one "
          + "ended). Fewer, larger transactions cost the broker fewer requests; under load, adds return and handlers at "
          + "commit run up to this much later."),
  KAFKA_PROPERTIES_FILE("GOWORK_KAFKA_PROPERTIES_FILE", "--kafka-properties-file", "FILE", null,
      "Java properties file of Kafka client settings (TLS, SASL, ...); GOWORK_KAFKA_<NAME> variables override it.");

  final String env;
  final String flag;
  final String label;
  final String defaultValue;
  final String description;

  Setting(String env, String flag, String label, String defaultValue, String description) {
    this.env = env;
    this.flag = flag;
    this.label = label;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The text of {@code --help} for this option. */
  String help() {
    return description + " Env " + env + (defaultValue == null ? "." : "; default " + defaultValue + ".");
  }
}
