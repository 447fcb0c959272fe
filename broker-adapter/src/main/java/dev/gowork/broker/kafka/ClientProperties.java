package dev.gowork.broker.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

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
