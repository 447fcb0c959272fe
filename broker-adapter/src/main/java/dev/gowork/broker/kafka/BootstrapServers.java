package dev.gowork.broker.kafka;

import org.apache.kafka.common.utils.Utils;

/**
 * The one check of a {@code GOWORK_BOOTSTRAP_SERVERS} value, for the coordinator and the worker alike:
 * a comma-separated list of {@code host:port}, read as the Kafka client reads it (without resolving
 * names), so that a typo stops the start naming the setting instead of failing later in the Kafka
 * client ("Failed to construct kafka producer") or, in a worker, only after its handshake.
 */
public final class BootstrapServers {

    /** What a well-formed value looks like, for error messages. */
    public static final String FORMAT = "host:port[,host:port...] (e.g. kafka-1:9092,kafka-2:9092)";

    private BootstrapServers() {
    }

    /**
     * True when {@code servers} holds at least one {@code host:port} and nothing else: ports 1-65535,
     * IPv6 hosts in brackets, blanks around entries and empty entries ignored as the Kafka client does.
     */
    public static boolean isWellFormed(String servers) {
        if (servers == null) {
            return false;
        }
        int valid = 0;
        for (String entry : servers.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;   // as the Kafka client's list parser, which drops empty entries
            }
            Integer port = Utils.getPort(e);
            if (Utils.getHost(e) == null || port == null || port < 1 || port > 65_535) {
                return false;
            }
            valid++;
        }
        return valid > 0;
    }
}
