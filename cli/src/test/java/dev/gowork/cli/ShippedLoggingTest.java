package dev.gowork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/** What the shipped {@code log4j2.xml} files (the command's and the coordinator's) let through. */
class ShippedLoggingTest {
  private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";
  private static final String RETRY = "[Producer clientId=producer-gowork.coordinator-0, transactionalId=gowork.coordinator-0] "
      + "Got error produce response with correlation id 196 on topic-partition gowork.state-3, retrying "
      + "(2147483646 attempts left). Error: ";

  @Test
  void aRetriedConcurrentTransactionsIsNotLoggedButOtherProduceErrorsAre() throws IOException {
    List<URL> shipped = shippedConfigurations();
    assertEquals(2, shipped.size(), "the cli's and the coordinator's log4j2.xml: " + shipped);
    for (URL url : shipped) {
      LoggerConfig sender = load(url).getLoggerConfig(SENDER);
      assertTrue(sender.isFiltered(warn(RETRY + "CONCURRENT_TRANSACTIONS")), url.toString());
      assertFalse(sender.isFiltered(warn(RETRY + "OUT_OF_ORDER_SEQUENCE_NUMBER")), url.toString());
      assertFalse(sender.isFiltered(warn(RETRY + "NOT_LEADER_OR_FOLLOWER")), url.toString());
      assertEquals(Level.WARN, sender.getLevel(), url.toString());
    }
  }

  @Test
  void theControllersFirstStartActivationWarningIsNotLoggedButItsOtherWarningsAre() throws IOException {
    String controller = "org.apache.kafka.controller.QuorumController";
    String firstStart = "[QuorumController id=1] Performing controller activation. The metadata log appears to be empty. "
        + "Appending 12 bootstrap record(s) in metadata transaction at metadata.version 4.4-IV0 from bootstrap "
        + "source 'the binary bootstrap metadata file: /data/kafka/bootstrap.checkpoint'.";
    String aborting = "[QuorumController id=1] Performing controller activation. Aborting partial bootstrap records "
        + "transaction at offset 7. Re-appending 12 bootstrap record(s) in new metadata transaction at metadata.version "
        + "4.4-IV0 from bootstrap source 'the default bootstrap'.";
    for (URL url : shippedConfigurations()) {
      LoggerConfig c = load(url).getLoggerConfig(controller);
      assertEquals(controller, c.getName(), url.toString());
      assertTrue(c.isFiltered(warn(controller, firstStart)), url.toString());
      assertFalse(c.isFiltered(warn(controller, aborting)), url.toString());
      assertFalse(c.isFiltered(warn(controller, "[QuorumController id=1] Some other controller warning")), url.toString());
      assertEquals(Level.WARN, c.getLevel(), url.toString());
    }
  }

  @Test
  void aPendingOffsetWhileAnotherCoordinatorsTransactionIsOpenIsNotLoggedButOtherOffsetWarningsAre() throws IOException {
    // Logged every 5 s per partition by a coordinator that took over a killed one's partitions, until Kafka
    // aborts the killed one's transaction (a minute): the answer the coordinator asks for, not a problem.
    String handler = "org.apache.kafka.clients.admin.internals.ListConsumerGroupOffsetsHandler";
    String pending = "[AdminClient clientId=adminclient-1] Skipping return offset for gowork.results-0 due to error "
        + "UNSTABLE_OFFSET_COMMIT.";
    for (URL url : shippedConfigurations()) {
      LoggerConfig c = load(url).getLoggerConfig(handler);
      assertEquals(handler, c.getName(), url.toString());
      assertTrue(c.isFiltered(warn(handler, pending)), url.toString());
      assertFalse(c.isFiltered(warn(handler, "[AdminClient clientId=adminclient-1] Skipping return offset for "
          + "gowork.results-0 due to error UNKNOWN_TOPIC_OR_PARTITION.")), url.toString());
      assertEquals(Level.WARN, c.getLevel(), url.toString());
    }
  }

  @Test
  void anInternalTopicAlreadyCreatedByAnotherClientIsNotLoggedButAFailedCreationIs() throws IOException {
    // Seen in the broker of 'gowork kafka' as two coordinators started together on a fresh data folder.
    String manager = "org.apache.kafka.server.DefaultAutoTopicCreationManager";
    for (URL url : shippedConfigurations()) {
      LoggerConfig c = load(url).getLoggerConfig(manager);
      assertEquals(manager, c.getName(), url.toString());
      assertTrue(c.isFiltered(warn(manager, "Auto topic creation failed for __transaction_state with error "
          + "'TOPIC_ALREADY_EXISTS': Topic '__transaction_state' already exists..")), url.toString());
      assertFalse(c.isFiltered(warn(manager, "Auto topic creation failed for __transaction_state with error "
          + "'INVALID_REPLICATION_FACTOR': Replication factor: 3 larger than available brokers: 1.")), url.toString());
    }
  }

  private static List<URL> shippedConfigurations() throws IOException {
    List<URL> found = new ArrayList<>();
    for (URL url : Collections.list(ShippedLoggingTest.class.getClassLoader().getResources("log4j2.xml"))) {
      String where = url.toString();
      if (where.contains("/cli/") || where.contains("coordinator")) {
        found.add(url);
      }
    }
    return found;
  }

  private static XmlConfiguration load(URL url) throws IOException {
    try (InputStream in = url.openStream()) {
      XmlConfiguration config = new XmlConfiguration(new LoggerContext("shipped-logging-test"),
          new ConfigurationSource(in, url));
      config.initialize();
      return config;
    }
  }

  private static LogEvent warn(String message) {
    return warn(SENDER, message);
  }

  private static LogEvent warn(String logger, String message) {
    return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.WARN).setMessage(new SimpleMessage(message)).build();
  }
}
