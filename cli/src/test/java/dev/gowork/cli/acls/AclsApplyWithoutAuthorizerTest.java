package dev.gowork.cli.acls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.broker.testing.KafkaExtension;
import dev.gowork.broker.testing.TestKafka;
import dev.gowork.cli.Console;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code gowork kafka acls --apply} against the tests' broker, which has no authorizer. */
@ExtendWith(KafkaExtension.class)
class AclsApplyWithoutAuthorizerTest {

  @Test
  void applyingToBrokersWithoutAnAuthorizerSaysSoInOneLine(TestKafka kafka) {
    Console c = new Console(Map.of("GOWORK_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
    assertEquals(1, c.run("kafka", "acls", "--prefix", kafka.topicPrefix(), "--coordinator-principal", "User:coord",
        "--worker-principal", "User:worker", "--apply"), c.out());
    assertEquals(1, c.err().strip().lines().count(), c.err());
    assertTrue(c.err().contains("the brokers have no authorizer (authorizer.class.name), so they would enforce no "
        + "ACL"), c.err());
  }
}
