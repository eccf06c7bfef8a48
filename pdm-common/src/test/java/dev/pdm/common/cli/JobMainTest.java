package dev.pdm.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.PdmErrors;
import org.junit.jupiter.api.Test;
import org.kohsuke.args4j.Option;

class JobMainTest {

  static final class Cli extends CommonOptions {
    @Option(name = "--count", required = true)
    int count;
  }

  private static int run(String... args) {
    return JobMain.execute("test", args, new Cli(), (cli, config) -> {
      if (cli.count < 0) {
        throw PdmErrors.badValue("--count", Integer.toString(cli.count), "a count >= 0");
      }
      return cli.count;
    }, null, count -> {
      if (count == 13) {
        throw PdmErrors.failure("count to 13", "unlucky", "pick another number");
      }
      if (count == 14) {
        throw new IllegalStateException("boom");
      }
      return () -> "counted " + count;
    });
  }

  @Test
  void exitCodes() {
    assertEquals(0, run("--count", "3"));
    assertEquals(0, run("--help"));
    assertEquals(2, run(), "a missing required option is a usage error");
    assertEquals(2, run("--count", "x"));
    assertEquals(2, run("--count", "-1"), "validation of the options record");
    assertEquals(2, run("--count", "1", "--set", "novalue"));
    assertEquals(2, run("--count", "1", "--conf", "/no/such/file.properties"));
    assertEquals(1, run("--count", "13"));
    assertEquals(1, run("--count", "14"));
  }
}
