package dev.pdm.ingest.kafka;

import dev.pdm.common.PdmErrors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics before anything is published to them. Why not leave it to the broker's
 * auto-creation: a stream cannot subscribe to a topic that does not exist yet, and an idempotent
 * producer whose first batches race the creation of the partitions can have a batch refused as out
 * of order (seen under load on a 2-core machine), which the producer reports only to its callback.
 *
 * <p>Usage:
 * <pre>{@code
 * KafkaTopics.create("127.0.0.1:9092", List.of("telemetry", "alerts"));
 * }</pre>
 */
public final class KafkaTopics {

  private KafkaTopics() {}

  /**
   * Waits until the broker lists every topic: a created topic can take a moment to reach the
   * metadata that listings and producers read, and a caller publishes right after start.
   */
  private static void awaitListed(Admin admin, List<String> topics)
      throws ExecutionException, TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(topics)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topics " + topics + " not listed after 30 s");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Creates the topics that are missing, with the broker's default partitions and replication,
   * and waits until the broker lists them.
   */
  public static void create(String bootstrap, List<String> topics) {
    if (topics.isEmpty()) {
      return;
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t))
          .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        awaitListed(admin, topics);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw PdmErrors.failure("create topics " + topics + " at " + bootstrap, e.getCause().getMessage(),
            "see the broker's log", e);
      }
    } catch (TimeoutException e) {
      throw PdmErrors.failure("create topics " + topics + " at " + bootstrap, "the broker did not answer in 30 s",
          "see the broker's log", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("create topics " + topics, "interrupted", "run it again");
    }
  }
}
