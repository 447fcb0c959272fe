package dev.gowork.broker.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Reads operator-supplied Kafka client properties from the environment or a file. */
final class ClientProperties {

    static final String ENV_PREFIX = "GOWORK_KAFKA_";
    /** Names the properties file; a setting of ours, not a Kafka property. */
    static final String FILE_ENV = "GOWORK_KAFKA_PROPERTIES_FILE";

    private ClientProperties() {
    }

    static Map<String, String> fromEnv(Map<String, String> env) {
        Map<String, String> properties = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length() && value != null
                    && !name.equals(FILE_ENV)) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                properties.put(key, value);
            }
        });
        return Collections.unmodifiableMap(properties);
    }

    /**
     * Checks each property that Kafka's producer, consumer or admin client defines against its type
     * and allowed values, so that a wrong one fails at start in one line naming it (names Kafka does
     * not define pass, as Kafka itself lets them). A password's value is never quoted.
     *
     * @throws dev.gowork.broker.GoWorkException INVALID_ARGUMENT naming the property and its variable
     */
    static void check(Map<String, String> properties) {
        List<ConfigDef> defs = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef());
        properties.forEach((name, value) -> {
            for (ConfigDef def : defs) {
                ConfigDef.ConfigKey key = def.configKeys().get(name);
                if (key == null) {
                    continue;
                }
                try {
                    Object parsed = ConfigDef.parseType(name, value, key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(name, parsed);
                    }
                } catch (ConfigException bad) {
                    boolean secret = key.type == ConfigDef.Type.PASSWORD;
                    throw new dev.gowork.broker.GoWorkException(dev.gowork.broker.ErrorCode.INVALID_ARGUMENT,
                            "Kafka property " + name + " (" + ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_')
                                    + " or the properties file) is invalid" + (secret ? "" : ": " + bad.getMessage()));
                }
            }
        });
    }

    static Map<String, String> load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Kafka client properties from " + file, e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return Collections.unmodifiableMap(map);
    }
}
