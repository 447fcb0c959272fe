package dev.gowork.cli.acls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Grants as {@code kafka-acls.sh} command lines, each after a comment saying why; grants that differ only
 * in their resource name share one line (repeated {@code --topic}).
 */
final class AclLines {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:,=@/+-]+");

  private AclLines() {}

  /**
   * @param bootstrap the brokers to name, or null for a {@code "$BOOTSTRAP"} placeholder
   */
  static List<String> of(List<Grant> grants, String bootstrap) {
    String head = "kafka-acls.sh --bootstrap-server " + (bootstrap == null ? "\"$BOOTSTRAP\"" : shell(bootstrap))
        + " --command-config \"$ADMIN_CONFIG\" --add";
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < grants.size();) {
      Grant first = grants.get(i);
      StringBuilder line = new StringBuilder(head).append(" --allow-principal ").append(shell(first.principal()));
      first.operations().forEach(op -> line.append(" --operation ").append(name(op)));
      int j = i;
      while (j < grants.size() && sameButName(first, grants.get(j))) {
        line.append(resource(grants.get(j).resource()));
        j++;
      }
      if (first.resource().patternType() == PatternType.PREFIXED) {
        line.append(" --resource-pattern-type prefixed");
      }
      lines.add("# " + first.principal() + " " + first.why());
      lines.add(line.toString());
      i = j;
    }
    return lines;
  }

  /** A one-line description of a grant, as {@code --apply} reports it. */
  static String describe(Grant g) {
    ResourcePattern r = g.resource();
    return g.principal() + " " + String.join(",", g.operations().stream().map(AclLines::name).toList()) + " on "
        + name(r.resourceType()) + " " + r.name() + (r.patternType() == PatternType.PREFIXED ? "* (prefixed)" : "");
  }

  private static boolean sameButName(Grant a, Grant b) {
    return a.principal().equals(b.principal()) && a.operations().equals(b.operations()) && a.why().equals(b.why())
        && a.resource().resourceType() == b.resource().resourceType()
        && a.resource().patternType() == b.resource().patternType();
  }

  private static String resource(ResourcePattern r) {
    return switch (r.resourceType()) {
      case TOPIC -> " --topic " + shell(r.name());
      case GROUP -> " --group " + shell(r.name());
      case TRANSACTIONAL_ID -> " --transactional-id " + shell(r.name());
      case CLUSTER -> " --cluster";
      default -> throw new IllegalArgumentException("no kafka-acls.sh flag for " + r.resourceType());
    };
  }

  /** {@code ALTER_CONFIGS} as kafka-acls.sh spells it: {@code AlterConfigs}. */
  static String name(AclOperation op) {
    return camel(op.name());
  }

  private static String name(ResourceType type) {
    return camel(type.name());
  }

  private static String camel(String upper) {
    StringBuilder out = new StringBuilder();
    for (String word : upper.split("_")) {
      out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  /** A word as a POSIX shell reads it back unchanged. */
  private static String shell(String word) {
    return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
