package dev.pdm.drift;

/**
 * A drift report as one self-contained HTML page: the decision and its reasons, a PSI bar chart of
 * every feature, and reference-vs-current histograms per feature (decile bins of the reference,
 * plus missing values), drawn as SVG by a small script from the report's JSON embedded in the page.
 * No network access, no external script or style.
 */
public final class DriftHtml {

  private DriftHtml() {}

  public static String render(DriftReport report) {
    // "</" inside a script element would end it early.
    String data = report.toJson(true).replace("</", "<\\/");
    return PAGE.replace("@TITLE@", escape("pdm drift report " + report.reportId()))
        .replace("@DATA@", data);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static final String PAGE = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>@TITLE@</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
      h1{font-size:22px} h2{font-size:18px;margin-top:28px} .retrain{color:#b00020} .ok{color:#1b5e20}
      table{border-collapse:collapse} td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}
      .grid{display:flex;flex-wrap:wrap;gap:12px} .card{border:1px solid #ddd;padding:6px;width:260px}
      .card h3{font-size:13px;margin:0 0 4px 0} .drift{background:#fde7e9} .warn{background:#fff8e1}
      svg text{font-size:10px;fill:#444} .legend span{display:inline-block;width:12px;height:12px;margin:0 4px}
      </style></head><body>
      <h1 id="title">Drift report</h1>
      <p id="decision"></p><ul id="reasons"></ul>
      <table id="summary"></table>
      <p class="legend"><span style="background:#90a4ae"></span>reference (reweighted to the window's life stages)
      <span style="background:#e65100"></span>current window</p>
      <h2>PSI per feature</h2>
      <svg id="psi-chart"></svg>
      <h2>Predicted RUL</h2>
      <div class="grid" id="prediction"></div>
      <h2>Features, most drifted first</h2>
      <div class="grid" id="histograms"></div>
      <script type="application/json" id="report-data">@DATA@</script>
      <script>
      (function () {
        const r = JSON.parse(document.getElementById('report-data').textContent);
        const NS = 'http://www.w3.org/2000/svg';
        const el = (name, attrs, parent) => {
          const e = document.createElementNS(NS, name);
          for (const k in attrs) e.setAttribute(k, attrs[k]);
          if (parent) parent.appendChild(e);
          return e;
        };
        const text = (parent, x, y, s, anchor) => {
          const t = el('text', {x: x, y: y, 'text-anchor': anchor || 'start'}, parent);
          t.textContent = s;
          return t;
        };
        const fmt = v => v === null || v === undefined ? 'n/a' : Number(v).toPrecision(3);
        document.getElementById('title').textContent = 'Drift report ' + r.report_id;
        const d = document.getElementById('decision');
        d.textContent = r.retrain ? 'Decision: retrain' : 'Decision: no retraining needed';
        d.className = r.retrain ? 'retrain' : 'ok';
        const ul = document.getElementById('reasons');
        r.reasons.forEach(s => { const li = document.createElement('li'); li.textContent = s; ul.appendChild(li); });
        const rows = [['model', r.model.name + ' v' + r.model.version + ' (dataset ' + r.model.dataset
            + ', feature set v' + r.model.feature_set_version + ')'], ['window', r.selection],
            ['rows', r.current_rows + ' current, ' + r.reference_rows + ' reference'],
            ['compared by', r.stratification], ['created', r.created_at]];
        const table = document.getElementById('summary');
        rows.forEach(([k, v]) => {
          const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v;
        });

        // PSI chart: one horizontal bar per feature, with the warn and drift thresholds.
        const feats = r.features;
        const W = 900, left = 190, barH = 12, gap = 3, top = 20;
        const max = Math.max(r.thresholds.psi_drift * 1.2, ...feats.map(f => f.psi || 0));
        const scale = v => (W - left - 60) * Math.min(v, max) / max;
        const psi = document.getElementById('psi-chart');
        psi.setAttribute('width', W);
        psi.setAttribute('height', top + feats.length * (barH + gap) + 10);
        feats.forEach((f, i) => {
          const y = top + i * (barH + gap);
          text(psi, left - 6, y + barH - 2, f.name, 'end');
          el('rect', {'class': 'bar psi ' + f.status, x: left, y: y, width: Math.max(1, scale(f.psi || 0)),
              height: barH, fill: f.status === 'drift' ? '#c62828' : f.status === 'warn' ? '#f9a825' : '#43a047'},
              psi);
          text(psi, left + scale(f.psi || 0) + 4, y + barH - 2, fmt(f.psi));
        });
        // Labels on either side of their line, so close thresholds stay readable.
        [['warn', r.thresholds.psi_warn, 'end'], ['drift', r.thresholds.psi_drift, 'start']]
          .forEach(([name, v, anchor]) => {
            const x = left + scale(v);
            el('line', {x1: x, x2: x, y1: top - 4, y2: psi.getAttribute('height'), stroke: '#555',
                'stroke-dasharray': '4 3'}, psi);
            text(psi, anchor === 'end' ? x - 3 : x + 3, 12, name + ' ' + v, anchor);
          });

        // Histograms: decile bins of the reference (and missing values), reference vs current shares.
        const histogram = (parent, f) => {
          const card = document.createElement('div');
          card.className = 'card ' + f.status;
          const h = document.createElement('h3');
          h.textContent = f.name + ': PSI ' + fmt(f.psi) + ', KS ' + fmt(f.ks_statistic) + ' (p ' + fmt(f.ks_p_value)
              + ')';
          card.appendChild(h);
          const w = 250, hh = 110, base = 95, bins = f.reference_shares.length;
          const svg = el('svg', {'class': 'histogram', width: w, height: hh}, card);
          const top = Math.max(...f.reference_shares, ...f.current_shares, 1e-9);
          const bw = (w - 10) / bins;
          for (let i = 0; i < bins; i++) {
            const x = 5 + i * bw;
            [['ref', f.reference_shares[i], '#90a4ae', 0], ['cur', f.current_shares[i], '#e65100', bw / 2]]
              .forEach(([cls, v, color, dx]) => {
                const bh = (base - 10) * v / top;
                el('rect', {'class': 'bar ' + cls, x: x + dx + 1, y: base - bh, width: bw / 2 - 2,
                    height: Math.max(bh, 0.5), fill: color}, svg);
              });
          }
          text(svg, 5, hh - 3, 'lowest decile', 'start');
          text(svg, w - 5, hh - 3, 'highest, missing', 'end');
          parent.appendChild(card);
        };
        histogram(document.getElementById('prediction'), r.prediction);
        const grid = document.getElementById('histograms');
        feats.forEach(f => histogram(grid, f));
        document.body.setAttribute('data-rendered', 'true');
      })();
      </script>
      </body></html>
      """;
}
