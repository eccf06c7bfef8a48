package dev.pdm.common.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that needs more than a local SparkSession: a real Kafka broker, a real MLflow
 * server, a child JVM, or a browser. {@code mvn verify} runs every test; {@code bin/test --quick}
 * ({@code mvn verify -DexcludedGroups=integration}) leaves these out, so the developer loop starts
 * no server.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * @Integration
 * class ScoringTest { ... }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Integration.TAG)
public @interface Integration {

  /** The JUnit tag, for {@code -Dgroups} and {@code -DexcludedGroups}. */
  String TAG = "integration";
}
