package dev.gowork.worker.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where a record lives: how a record that comes back after RENEW is recognised as one in progress. */
record RecordKey(String topic, int partition, long offset) {
  static RecordKey of(ConsumerRecord<?, ?> r) {
    return new RecordKey(r.topic(), r.partition(), r.offset());
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
