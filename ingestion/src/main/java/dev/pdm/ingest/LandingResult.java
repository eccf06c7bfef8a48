package dev.pdm.ingest;

import dev.pdm.common.cli.JobResult;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;

/** What a landing job did, and the table versions it left. */
public record LandingResult(
    String command, LandingWriter.Counts counts, long bronzeVersion, long quarantineVersion,
    long silverVersion) implements JobResult {

  static LandingResult of(String command, LandingWriter.Counts counts, Warehouse warehouse) {
    return new LandingResult(
        command, counts,
        warehouse.version(Tables.BRONZE_TELEMETRY),
        warehouse.version(Tables.QUARANTINE),
        warehouse.version(Tables.SILVER_TELEMETRY));
  }

  @Override
  public String summary() {
    return command + ": " + counts + "; table versions: bronze.telemetry_raw=" + bronzeVersion
        + " bronze.telemetry_quarantine=" + quarantineVersion + " silver.telemetry=" + silverVersion;
  }
}
