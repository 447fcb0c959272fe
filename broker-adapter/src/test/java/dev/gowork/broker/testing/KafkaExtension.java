package dev.gowork.broker.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link TestKafka} into test constructors, test methods and lifecycle methods.
 *
 * <p>One broker serves the whole test JVM, chosen at first use: the one named by the environment
 * variable {@code KAFKA_BOOTSTRAP_SERVERS} (with {@code GOWORK_KAFKA_*} client properties passed
 * through); else a Testcontainers Kafka where a Docker engine answers (image
 * {@code GOWORK_TEST_KAFKA_IMAGE}, default {@code apache/kafka:4.4.0}); else an
 * {@link dev.gowork.broker.embedded.EmbeddedKafka} in a temporary folder. Set
 * {@code GOWORK_TEST_BROKER=embedded} to skip the Docker probe. The broker is stopped when the
 * test JVM exits. An external broker must allow share heartbeats of 500 ms and record locks of 1 s
 * for tests that use them ({@code group.share.min.heartbeat.interval.ms},
 * {@code group.share.min.record.lock.duration.ms}); with {@code group.share.assignment.interval.ms=0}
 * (as the embedded broker has) members that join a share group get their partitions about a second
 * sooner, which most tests wait for.
 *
 * <p>Each test gets a fresh topic prefix; the constructor, {@code @BeforeEach} methods and the test
 * method of one test share the same {@link TestKafka}.
 */
public final class KafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        SharedBroker broker = SharedBroker.get();
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(
                "test-kafka:" + context.getUniqueId(), key -> new TestKafka(broker), TestKafka.class);
    }

    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }
}
