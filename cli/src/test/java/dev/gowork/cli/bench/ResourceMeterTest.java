package dev.gowork.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ResourceMeterTest {

  @Test
  void theBrokerProcessCpuCountsInTheWorkloadsCpuAndAlsoAlone() {
    AtomicLong broker = new AtomicLong(5_000_000_000L);
    try (ResourceMeter meter = new ResourceMeter(new IdleLoop(), broker::get)) {
      broker.addAndGet(2_000_000_000L);
      assertEquals(2_000_000_000L, meter.brokerCpuNanos(), "only what the broker used since the meter started");
      assertTrue(meter.cpuNanos() >= 2_000_000_000L, "cpu_s includes the broker's: " + meter.cpuNanos());
    }
  }

  private static final class IdleLoop implements Loop {
    @Override
    public String name() {
      return "idle";
    }

    @Override
    public CompletableFuture<Void> send(int count, Consumer<String> stamp) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
  }
}
