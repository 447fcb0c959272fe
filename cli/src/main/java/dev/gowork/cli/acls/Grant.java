package dev.gowork.cli.acls;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Operations one principal is allowed on one resource pattern (a topic, group, transactional id or the
 * cluster), from any host, and why GoWork needs them.
 */
record Grant(String principal, ResourcePattern resource, List<AclOperation> operations, String why) {
  Grant {
    operations = List.copyOf(operations);
  }

  static Grant literal(String principal, ResourceType type, String name, String why, AclOperation... operations) {
    return new Grant(principal, new ResourcePattern(type, name, PatternType.LITERAL), List.of(operations), why);
  }

  static Grant prefixed(String principal, ResourceType type, String prefix, String why, AclOperation... operations) {
    return new Grant(principal, new ResourcePattern(type, prefix, PatternType.PREFIXED), List.of(operations), why);
  }

  /** One Kafka ACL per operation. */
  List<AclBinding> bindings() {
    return operations.stream().map(this::binding).toList();
  }

  /** This grant without the operations whose ACL is in {@code existing}; empty when all of them are. */
  Optional<Grant> less(Set<AclBinding> existing) {
    List<AclOperation> missing = operations.stream().filter(op -> !existing.contains(binding(op))).toList();
    return missing.isEmpty() ? Optional.empty() : Optional.of(new Grant(principal, resource, missing, why));
  }

  private AclBinding binding(AclOperation op) {
    return new AclBinding(resource, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
