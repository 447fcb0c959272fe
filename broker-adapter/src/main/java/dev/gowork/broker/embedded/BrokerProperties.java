package dev.gowork.broker.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntSupplier;

/**
 * The configuration of a single-node KRaft broker that is also its own controller, with a
 * static quorum of one voter. Everything a one-node cluster needs to serve share groups is here,
 * with a comment on each group of lines that a one-node cluster needs.
 */
final class BrokerProperties {

    static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;

    private BrokerProperties() {
    }

    /** The broker's settings; {@code overrides} are applied last. */
    static Properties of(int port, int controllerPort, Path logDir, Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");

        // Internal topics sized for one node; without the share-coordinator lines share groups
        // deliver nothing and the client is never told.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        // Fast joins, and group-level settings low enough for tests and demos.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.heartbeat.interval.ms", "1000");
        p.put("group.share.min.record.lock.duration.ms", "1000");
        p.put("errors.deadletterqueue.auto.create.topics.enable", "true");

        // A member that joins a share (or consumer-protocol) group gets its partitions as soon as the
        // group coordinator can compute them, instead of at the next of its once-a-second assignment
        // rounds (group.*.assignment.interval.ms, 1000 by default): batching saves nothing for the few
        // members of one node, and every worker slot that joined waited up to a second for its first work.
        p.put("group.share.assignment.interval.ms", "0");
        p.put("group.consumer.assignment.interval.ms", "0");

        // After a crash (SIGKILL, OOM) the restarted broker registers as a new incarnation of node 1,
        // which the controller refuses until the old incarnation's session has expired: 9 s by default,
        // although on one node the old incarnation can only be this process's dead predecessor. 4 s,
        // with heartbeats every second, still needs 4 missed heartbeats before a live broker is fenced.
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "1000");

        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * A port from {@code freePorts} other than {@code taken}: the broker's port may be one chosen a moment
     * ago and not bound yet, which the system can hand out again (the controller listener then failed to
     * bind, as a demo once did).
     *
     * @throws IllegalStateException when 100 ports in a row were {@code taken}
     */
    static int freePortOtherThan(int taken, IntSupplier freePorts) {
        for (int i = 0; i < 100; i++) {
            int port = freePorts.getAsInt();
            if (port != taken) {
                return port;
            }
        }
        throw new IllegalStateException("No free port on " + HOST + " other than " + taken);
    }

    /** A port that was free on the loopback address a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }
}
