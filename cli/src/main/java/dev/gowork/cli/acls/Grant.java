package dev.gowork.cli.acls;

import java.util.List;
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
    return operations.stream().map(op -> new AclBinding(resource,
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW))).toList();
  }
}
