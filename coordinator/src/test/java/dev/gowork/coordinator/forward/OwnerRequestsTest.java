package dev.gowork.coordinator.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OwnerRequestsTest {
  @Test
  void everyRequestRoundTrips() {
    for (OwnerRequest r : new OwnerRequest[] {OwnerRequest.cancel("w-1", "a \"quoted\" reason"),
        OwnerRequest.cancel("w-2", null), OwnerRequest.requeue("w-3", 2), OwnerRequest.deleteDead("w-4", 3),
        OwnerRequest.revoke("worker-5")}) {
      assertEquals(r, OwnerRequests.decode(OwnerRequests.encode(r, "p.coordinator-a")));
    }
  }

  @Test
  void aValueThatIsNotARequestIsRefusedNamingWhy() {
    assertRefused("{\"schema\":\"gowork.owner-request/v2\",\"request\":\"cancel\",\"id\":\"w\"}", "schema");
    assertRefused("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"explode\",\"id\":\"w\"}", "explode");
    assertRefused("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\"}", "id must be");
    assertRefused("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\",\"id\":\"" + "x".repeat(201) + "\"}",
        "id must be");
    assertRefused("{\"schema\":\"gowork.owner-request/v1\",\"request\":\"cancel\",\"id\":\"w\",\"reason\":7}",
        "reason must be a string");
    assertThrows(IllegalArgumentException.class, () -> OwnerRequests.decode("not json".getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertRefused(String json, String named) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OwnerRequests.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }
}
