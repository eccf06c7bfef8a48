package dev.pdm.common.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import io.delta.exceptions.ConcurrentAppendException;
import io.delta.exceptions.ConcurrentTransactionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeltaRetryTest {

  @Test
  void aCommitRefusedByConcurrentWritersIsRunAgainUntilItLands() {
    AtomicInteger calls = new AtomicInteger();
    String out = DeltaRetry.commit("update t", () -> {
      int n = calls.incrementAndGet();
      if (n == 1) {
        throw new ConcurrentAppendException("files were added to partition [dataset=T]");
      }
      if (n == 2) {
        throw new ConcurrentTransactionException("another transaction committed");
      }
      return "landed";
    }, 5, 1);
    assertEquals("landed", out);
    assertEquals(3, calls.get());
  }

  @Test
  void afterTheLastAttemptTheFailureNamesTheCommitAndTheFix() {
    AtomicInteger calls = new AtomicInteger();
    PdmException e = assertThrows(PdmException.class, () -> DeltaRetry.commit("ack alert a1", () -> {
      calls.incrementAndGet();
      throw new ConcurrentAppendException("files were added");
    }, 3, 1));
    assertEquals(3, calls.get());
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().startsWith("Cannot ack alert a1: another writer committed first 3 times"), e.getMessage());
  }

  @Test
  void otherFailuresAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("disk full");
    assertSame(boom, assertThrows(IllegalStateException.class, () -> DeltaRetry.commit("x", () -> {
      calls.incrementAndGet();
      throw boom;
    }, 5, 1)));
    assertEquals(1, calls.get());
  }
}
