package dev.gowork.cli.acls;

import dev.gowork.broker.kafka.KafkaClients;
import dev.gowork.cli.settings.CliException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.ResourcePatternFilter;

/**
 * Creates the ACLs of some grants that Kafka does not have yet, after reading those it has (one
 * {@code DescribeAcls} per principal), so that it can say which it created and how many were there already.
 * An ACL created by someone else between the two steps is counted as created; creating it again changes nothing.
 */
final class ApplyAcls {
  private static final long TIMEOUT_SECONDS = 60;

  /**
   * @param created the grants, each with only the operations Kafka did not have, that were created
   * @param present how many of the ACLs asked for Kafka had already
   */
  record Outcome(List<Grant> created, int present) {
    int createdCount() {
      return created.stream().mapToInt(g -> g.operations().size()).sum();
    }
  }

  private ApplyAcls() {}

  /** @throws CliException failed (exit 1) naming the cause when Kafka refuses or does not answer */
  static Outcome run(KafkaClients clients, List<Grant> grants) {
    String bootstrap = clients.bootstrapServers();
    try (Admin admin = clients.admin()) {
      Set<AclBinding> existing = existing(admin, grants);
      List<Grant> missing = grants.stream().map(g -> g.less(existing)).flatMap(Optional::stream).toList();
      List<AclBinding> bindings = missing.stream().flatMap(g -> g.bindings().stream()).toList();
      if (!bindings.isEmpty()) {
        admin.createAcls(bindings).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      int asked = grants.stream().mapToInt(g -> g.operations().size()).sum();
      return new Outcome(missing, asked - bindings.size());
    } catch (ExecutionException e) {
      throw CliException.failed("creating the ACLs on " + bootstrap + " failed: " + refusal(e.getCause()),
          e.getCause());
    } catch (TimeoutException | KafkaException e) {
      throw CliException.failed("creating the ACLs on " + bootstrap + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted while creating the ACLs", e);
    }
  }

  /** The ACLs Kafka has for the grants' principals, all resources. */
  private static Set<AclBinding> existing(Admin admin, List<Grant> grants)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<KafkaFuture<Collection<AclBinding>>> described = new ArrayList<>();
    for (String principal : grants.stream().map(Grant::principal).distinct().toList()) {
      described.add(admin.describeAcls(new AclBindingFilter(ResourcePatternFilter.ANY,
          new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY))).values());
    }
    Set<AclBinding> existing = new HashSet<>();
    for (KafkaFuture<Collection<AclBinding>> f : described) {
      existing.addAll(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
    return existing;
  }

  /** Why Kafka refused the ACLs, with what to do for the refusals an operator meets first. */
  private static String refusal(Throwable cause) {
    if (cause instanceof SecurityDisabledException) {
      return "the brokers have no authorizer (authorizer.class.name), so they would enforce no ACL; set one first ("
          + cause.getMessage() + ")";
    }
    if (cause instanceof AuthorizationException) {
      // Not the cause's message: for CreateAcls the brokers put a dump of the whole request in it.
      return "the principal of the GOWORK_KAFKA_* client properties may not create ACLs: it needs Alter on the "
          + "cluster, a Kafka administrator's right (" + cause.getClass().getSimpleName() + ")";
    }
    return cause.toString();
  }
}
