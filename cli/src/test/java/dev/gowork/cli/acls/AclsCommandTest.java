package dev.gowork.cli.acls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gowork.cli.Console;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.internals.SecurityUtils;
import org.junit.jupiter.api.Test;

/** {@code gowork kafka acls} without Kafka: the printed lines and the refusals of bad input. */
class AclsCommandTest {

  @Test
  void printsOneKafkaAclsLinePerResourceWithPrefixedPatternsForPerQueueNames() {
    Console c = new Console(Map.of());
    assertEquals(0, c.run("kafka", "acls", "--prefix", "acme", "--coordinator-principal", "User:coord",
        "--worker-principal", "User:worker", "--analytics-principal", "User:bi"), c.err());
    List<String> commands = c.out().lines().filter(l -> l.startsWith("kafka-acls.sh")).toList();
    String head = "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add ";
    assertTrue(commands.stream().allMatch(l -> l.startsWith(head)), c.out());
    assertTrue(commands.contains(head + "--allow-principal User:worker --operation Read --topic acme.work."
        + " --resource-pattern-type prefixed"), c.out());
    assertTrue(commands.contains(head + "--allow-principal User:worker --operation Write --topic acme.results"),
        c.out());
    assertTrue(commands.contains(head + "--allow-principal User:coord --operation Write --operation Describe"
        + " --transactional-id acme.coordinator- --resource-pattern-type prefixed"), c.out());
    assertTrue(commands.contains(head + "--allow-principal User:coord --operation DescribeConfigs --cluster"), c.out());
    assertTrue(commands.contains(head + "--allow-principal User:bi --operation Read --topic acme.events"), c.out());
    // The worker may write results only: never a work topic, the control topic, or the state.
    assertFalse(commands.stream().anyMatch(l -> l.contains("User:worker") && l.contains("Write")
        && !l.endsWith("--topic acme.results")), c.out());
    assertTrue(c.out().lines().allMatch(l -> l.startsWith("#") || l.startsWith("kafka-acls.sh")), c.out());
  }

  @Test
  void workersGivenQueuesGetLiteralAclsOnThoseQueuesOnlyAndKeepTheRestOfWhatTheyNeed() {
    Console c = new Console(Map.of());
    assertEquals(0, c.run("kafka", "acls", "--prefix", "acme", "--coordinator-principal", "User:coord",
        "--worker-principal", "User:images", "--queue", "images", "--queue", "thumbs", "--queue", "images"), c.err());
    List<String> workers = c.out().lines().filter(l -> l.contains("--allow-principal User:images ")).toList();
    String head = "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add "
        + "--allow-principal User:images ";
    assertEquals(List.of(
        head + "--operation Read --topic acme.work.images --topic acme.work.thumbs",
        head + "--operation Read --operation AlterConfigs --group acme.workers.images --group acme.workers.thumbs",
        head + "--operation Write --topic acme.results",
        head + "--operation Read --topic acme.control",
        head + "--operation Read --topic acme.queues"), workers);
    // The coordinator still gets every queue's names.
    assertTrue(c.out().contains("--allow-principal User:coord --operation Create --operation Write --operation Read"
        + " --topic acme.work. --resource-pattern-type prefixed"), c.out());
  }

  @Test
  void aQueueNameTheCoordinatorWouldRefuseIsAUsageErrorNamingIt() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("kafka", "acls", "--coordinator-principal", "User:coord", "--worker-principal", "User:w",
        "--queue", "images", "--queue", "bad.name"));
    assertEquals("gowork: --queue: queue name 'bad.name' is invalid: use 1-100 characters of A-Z a-z 0-9 _ -",
        c.err().strip());
  }

  @Test
  void operationsAreSpelledAsKafkaAclsReadsThem() {
    for (AclOperation op : EnumSet.complementOf(EnumSet.of(AclOperation.UNKNOWN, AclOperation.ANY))) {
      assertEquals(SecurityUtils.operationName(op), AclLines.name(op));
    }
    Console c = new Console(Map.of());
    assertEquals(0, c.run("kafka", "acls", "--coordinator-principal", "User:coord", "--worker-principal", "User:w"));
    Matcher m = Pattern.compile("--operation (\\S+)").matcher(c.out());
    int operations = 0;
    while (m.find()) {
      assertNotEquals(AclOperation.UNKNOWN, SecurityUtils.operation(m.group(1)), m.group());
      operations++;
    }
    assertTrue(operations > 10, c.out());
  }

  @Test
  void quotesAPrincipalTheShellWouldSplit() {
    Console c = new Console(Map.of("GOWORK_BOOTSTRAP_SERVERS", "k1:9093"));
    assertEquals(0, c.run("kafka", "acls", "--coordinator-principal", "User:CN=coord, O=Acme",
        "--worker-principal", "User:worker"), c.err());
    assertTrue(c.out().contains("--bootstrap-server k1:9093 ")
        && c.out().contains("--allow-principal 'User:CN=coord, O=Acme' "), c.out());
  }

  @Test
  void aPrincipalWithoutItsTypeIsAUsageErrorNamingTheOption() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("kafka", "acls", "--coordinator-principal", "User:coord", "--worker-principal", "worker"));
    assertEquals("gowork: --worker-principal must be a Kafka principal TYPE:NAME such as User:alice; was 'worker'",
        c.err().strip());
  }

  @Test
  void workersSharingTheCoordinatorsPrincipalAreRefused() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("kafka", "acls", "--coordinator-principal", "User:gw", "--worker-principal", "User:gw"));
    assertTrue(c.err().startsWith("gowork: --worker-principal must differ from --coordinator-principal"), c.err());
  }

  @Test
  void applyWithoutKafkaIsAUsageError() {
    Console c = new Console(Map.of());
    assertEquals(2, c.run("kafka", "acls", "--coordinator-principal", "User:c", "--worker-principal", "User:w",
        "--apply"));
    assertTrue(c.err().contains("--apply needs Kafka"), c.err());
  }
}
