package dev.pdm.common.cli;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kohsuke.args4j.Option;

/**
 * The options every command takes. Subclasses add their own args4j fields and turn them into a
 * validated options record.
 */
public abstract class CommonOptions {

  @Option(
      name = "--conf",
      metaVar = "FILE",
      usage = "config file (.properties); defaults < this file < command line")
  public String conf;

  @Option(
      name = "--warehouse",
      metaVar = "DIR",
      usage = "warehouse root, a path or URI (overrides pdm.warehouse)")
  public String warehouse;

  @Option(
      name = "--set",
      metaVar = "KEY=VALUE",
      usage = "override one config key; repeatable, e.g. --set pdm.stream.max-offsets-per-trigger=5000")
  public List<String> sets = new ArrayList<>();

  @Option(name = "--help", aliases = "-h", help = true, usage = "print this help")
  public boolean help;

  /** The effective configuration of this invocation. */
  public PdmConfig config() {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw PdmErrors.badValue("--set", set, "KEY=VALUE");
      }
      overrides.put(set.substring(0, eq).trim(), set.substring(eq + 1).trim());
    }
    if (warehouse != null) {
      overrides.put(PdmConfigKeys.WAREHOUSE.name(), warehouse);
    }
    String confFile = conf != null ? conf : System.getenv("PDM_CONF");
    return PdmConfig.fromCommandLine(confFile, overrides);
  }
}
