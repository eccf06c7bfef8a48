package dev.pdm.serving;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code GET /api/v1/drift-reports/{report_id}/html}: the page drift-report wrote with {@code --html},
 * read where its summary row in ops.drift_reports says (any file system the warehouse's Hadoop
 * configuration reaches: local, s3a, abfs). Only a path the table names is read, never one from the
 * request; the page is answered in a sandbox (no access to the dashboard's origin or its token).
 */
final class DriftReportPages {

  /** A self-contained report is a few MB; a larger file is not one of them. */
  static final long MAX_BYTES = 64L << 20;

  private final Configuration hadoop;
  private final FleetView view;

  DriftReportPages(Configuration hadoop, FleetView view) {
    this.hadoop = hadoop;
    this.view = view;
  }

  byte[] page(String reportId) {
    DriftReportView report = view.driftReport(reportId).orElseThrow(() -> ApiException.notFound("no drift report "
        + reportId + " in the server's view of ops.drift_reports (take an id from GET /api/v1/drift-reports)"));
    if (report.htmlPath() == null) {
      throw ApiException.notFound("drift report " + reportId + " was made without a page (drift-report --html FILE"
          + " writes one)");
    }
    Path path = new Path(report.htmlPath());
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      if (!fs.exists(path)) {
        throw ApiException.notFound("the page of drift report " + reportId + " is gone from " + path
            + " (moved or deleted since the report was made)");
      }
      long size = fs.getFileStatus(path).getLen();
      if (size > MAX_BYTES) {
        throw new ApiException(500, "Internal error", "the page of drift report " + reportId + " at " + path + " has "
            + size + " bytes, more than a drift report's page can have", null);
      }
      try (InputStream in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new ApiException(502, "Bad gateway", "could not read the page of drift report " + reportId + " at " + path
          + ": " + e.getMessage(), null);
    }
  }
}
