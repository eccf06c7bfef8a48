// pdm dashboard: one shell, a page per address, drawn from the API (/api/v1) and redrawn when the
// server's live stream (/api/v1/live, Server-Sent Events) says a table moved. No build step: a
// plain module; the chart library (uPlot) is a script of the page, served from the jar.

const LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
// a shape beside the colour and the word: a level never depends on colour alone
const MARK = { CRITICAL: "◆", HIGH: "▲", MEDIUM: "●", LOW: "○" };
const POLL_MS = 5000;

const main = document.getElementById("main");
const live = document.getElementById("live");
const message = document.getElementById("message");
const operator = document.getElementById("operator");

// ---- helpers -----------------------------------------------------------------------------------
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const num = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits));
const pct = (v) => (v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%");
const level = (l) => l ? `<span class="level level-${esc(l)}"><span aria-hidden="true">${MARK[l] ?? ""} </span>${esc(l)}</span>` : "–";
const assetLink = (a) => `<a data-key="asset-${esc(a.dataset)}-${esc(a.asset_id)}" href="/assets/${encodeURIComponent(a.asset_id)}?dataset=${encodeURIComponent(a.dataset)}">${esc(a.asset_id)}</a>`;
const rulText = (p) => `${num(p.predicted_rul)}` + (p.rul_lower !== null && p.rul_lower !== undefined && p.rul_upper !== p.rul_lower
  ? ` <span class="muted">(${num(p.rul_lower)}–${num(p.rul_upper)})</span>` : "");

function ago(iso) {
  if (!iso) return "–";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const text = s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
  return `<time datetime="${esc(iso)}" title="${esc(iso)}">${text}</time>`;
}

function showMessage(text) {
  message.textContent = text;
  message.hidden = !text;
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const token = sessionStorage.getItem("pdm.token");
  if (options.method && options.method !== "GET" && token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...options, headers });
  const body = res.headers.get("Content-Type")?.includes("json") ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error(body && body.detail ? `${body.title}: ${body.detail}` : `${res.status} ${res.statusText}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

// A write: asks for the token when the server wants one, names the failure when it fails.
async function write(path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const out = await api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) });
      showMessage("");
      return out;
    } catch (e) {
      if (e.status === 401 && attempt === 0 && askToken()) continue;
      showMessage(`Cannot ${path.split("/").pop()}: ${e.message}`);
      return null;
    }
  }
  return null;
}

function askToken() {
  const t = window.prompt("Bearer token of this server's write endpoints (pdm.serve.token):", sessionStorage.getItem("pdm.token") || "");
  if (t === null) return false;
  if (t) sessionStorage.setItem("pdm.token", t.trim()); else sessionStorage.removeItem("pdm.token");
  return true;
}

function who() {
  const name = operator.value.trim();
  if (!name) {
    showMessage("Type your name in \"Acting as\" first: a work order records who changed it.");
    operator.focus();
  }
  return name;
}

function table(caption, head, rows, empty) {
  if (!rows.length) return `<p class="muted">${esc(empty)}</p>`;
  return `<table><caption>${caption}</caption><thead><tr>${head.map((h) => `<th scope="col"${h.startsWith("#") ? ' class="num"' : ""}>${esc(h.replace(/^#/, ""))}</th>`).join("")}</tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
}

const query = () => new URLSearchParams(location.search);
const qs = (params) => {
  const p = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v !== null && v !== undefined && v !== "") p.set(k, v); });
  const s = p.toString();
  return s ? `?${s}` : "";
};

// ---- shared pieces -----------------------------------------------------------------------------
// Where a row sits on its dataset's clock (the API's clocks, by dataset): the cycle, or a time
// fleet's tick as its time. The column says cycle, time, or both when the rows mix fleets.
const place = (clock, cycle) => (clock && clock.kind === "time"
  ? esc(new Date(tickSeconds(clock, cycle) * 1000).toISOString().slice(0, 16).replace("T", " ")) : `${cycle}`);
function placeHead(rows, clocks, due) {
  const kinds = new Set(rows.map((r) => ((clocks || {})[r.dataset] || CYCLE_CLOCK).kind));
  if (kinds.has("time")) return kinds.has("cycle") ? (due ? "#due cycle or time" : "#cycle or time") : (due ? "#due by" : "#reading at");
  return due ? "#due cycle" : "#cycle";
}

function alertRows(alerts, withAsset, clocks) {
  return alerts.map((a) => `<tr data-alert="${esc(a.alert_id)}">
    ${withAsset ? `<td>${assetLink(a)}</td>` : ""}<td>${level(a.risk_level)}</td><td class="num">${place((clocks || {})[a.dataset], a.cycle)}</td>
    <td class="num">${num(a.predicted_rul)}</td><td class="num">${pct(a.failure_probability)}</td>
    <td class="wrap">${esc(a.recommendation)}</td><td>${esc(a.status)}</td><td>${ago(a.raised_at)}</td>
    <td>${a.status === "open" ? `<button class="action" data-key="ack-${esc(a.alert_id)}" data-act="alert" data-change="ack" data-id="${esc(a.alert_id)}">Acknowledge</button>` : ""}
        ${a.status !== "resolved" ? `<button class="action" data-key="resolve-${esc(a.alert_id)}" data-act="alert" data-change="resolve" data-id="${esc(a.alert_id)}">Resolve</button>` : ""}</td></tr>`);
}
const alertHead = (alerts, clocks) => ["level", placeHead(alerts, clocks), "#RUL", "#failure p", "recommendation", "status", "raised", "actions"];

function workOrderRows(orders, withAsset, clocks) {
  return orders.map((w) => `<tr data-work-order="${esc(w.work_order_id)}">
    ${withAsset ? `<td>${assetLink(w)}</td>` : ""}<td>${esc(w.priority)}</td><td>${level(w.risk_level)}</td>
    <td class="num">${place((clocks || {})[w.dataset], w.due_cycle)}</td><td>${w.due_date ? esc(w.due_date.slice(0, 16).replace("T", " ")) : "–"}</td>
    <td>${esc(w.recommended_action)}</td><td>${esc(w.status)}${w.scheduled_for ? ` <span class="muted">for ${esc(w.scheduled_for.slice(0, 16).replace("T", " "))}</span>` : ""}</td>
    <td>${w.status === "open" ? button(w, "schedule", "Schedule") : ""}
        ${w.status === "open" || w.status === "scheduled" ? button(w, "complete", "Complete") + button(w, "cancel", "Cancel") : ""}</td></tr>`);
}
const button = (w, change, label) => `<button class="action" data-key="${change}-${esc(w.work_order_id)}" data-act="work-order" data-change="${change}" data-id="${esc(w.work_order_id)}">${label}</button>`;
const workOrderHead = (orders, clocks) => ["priority", "level", placeHead(orders, clocks, true), "due date", "recommended action", "status", "actions"];

async function onAction(e) {
  const b = e.target.closest("button[data-act]");
  if (!b) return;
  const id = b.dataset.id;
  const change = b.dataset.change;
  const label = b.textContent;
  b.disabled = true;
  b.textContent = `${label}…`;
  try {
    if (await act(b, id, change)) await render();
  } finally {
    b.disabled = false;
    b.textContent = label;
  }
}

// One action of a row's button; true when the server made the change.
async function act(b, id, change) {
  let done = null;
  if (b.dataset.act === "alert") {
    done = await write(`/api/v1/alerts/${encodeURIComponent(id)}/${change}`, operator.value.trim() ? { note: `by ${operator.value.trim()}` } : {});
  } else {
    const by = who();
    if (!by) return false;
    const body = { by };
    if (change === "schedule") {
      const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10) + "T08:00:00Z";
      const when = window.prompt("Schedule for (ISO-8601 instant):", tomorrow);
      if (!when) return false;
      body.scheduled_for = when;
    } else if (change === "complete") {
      const part = window.prompt("Part replaced (optional):", "");
      if (part === null) return false;
      if (part.trim()) body.part = part.trim();
    }
    done = await write(`/api/v1/work-orders/${encodeURIComponent(id)}/${change}`, body);
  }
  return done !== null;
}

// ---- pages -------------------------------------------------------------------------------------
async function overview() {
  const q = query();
  const dataset = q.get("dataset") || "";
  const risk = q.get("risk") || "";
  const [assets, health, alerts, orders, streams] = await Promise.all([
    api(`/api/v1/assets${qs({ dataset, risk, limit: 25 })}`),
    api("/api/v1/health"),
    api(`/api/v1/alerts${qs({ status: "open", dataset, limit: 10 })}`),
    api(`/api/v1/work-orders${qs({ status: "open,scheduled", dataset, limit: 10 })}`),
    api("/api/v1/streams"),
  ]);
  const total = Object.values(assets.levels).reduce((a, b) => a + b, 0);
  const datasets = [...new Set([...(assets.datasets || []), ...health.datasets.map((d) => d.dataset)])].sort();
  const counts = `<section class="counts" aria-label="Assets by risk level">
      <div class="count total"><span>Assets</span><b data-testid="asset-count">${total}</b></div>
      ${LEVELS.map((l) => `<a class="count ${l}" data-key="count-${l}" href="/${qs({ dataset, risk: l })}" aria-label="${assets.levels[l]} assets at ${l}, show them">
        <span>${level(l)}</span><b>${assets.levels[l]}</b></a>`).join("")}
    </section>`;
  const filters = `<form class="filters" id="filters" aria-label="Filter assets">
      <label>Dataset <select name="dataset" data-key="f-dataset"><option value="">all</option>
        ${datasets.map((d) => `<option${d === dataset ? " selected" : ""}>${esc(d)}</option>`).join("")}</select></label>
      <label>Risk level <select name="risk" data-key="f-risk"><option value="">all</option>
        ${LEVELS.map((l) => `<option${l === risk ? " selected" : ""}>${l}</option>`).join("")}</select></label>
      <span class="muted">${assets.total} asset${assets.total === 1 ? "" : "s"} match; worst first</span>
    </form>`;
  const assetRows = assets.assets.map((a) => `<tr><td>${assetLink(a)}</td><td>${esc(a.dataset)}</td><td>${level(a.risk_level)}</td>
      <td class="num">${rulText(a)}</td><td class="num">${pct(a.failure_probability)}</td><td class="num">${place(assets.clocks[a.dataset], a.cycle)}</td>
      <td>${a.anomaly_severity && a.anomaly_severity !== "NONE" ? esc(a.anomaly_severity) : ""}</td><td>${ago(a.scored_at)}</td></tr>`);
  const champions = health.datasets.map((d) => `<tr><td>${esc(d.dataset)}</td><td>${esc(d.rul_model)}</td><td>${esc(d.failure_model)}</td><td class="num">v${d.feature_set_version}</td></tr>`);
  const models = [...new Map(assets.assets.map((a) => [`${a.dataset} ${a.rul_model_version} ${a.failure_model_version}`, a])).values()]
    .map((a) => `<tr><td>${esc(a.dataset)}</td><td>${esc(a.rul_model_version)}</td><td>${esc(a.failure_model_version)}</td><td class="num">v${a.feature_set_version}</td></tr>`);
  const streamRows = streams.streams.map((s) => `<tr><td>${esc(s.job)}</td><td>${esc(s.dataset)}</td><td class="num">${s.batch_id}</td>
      <td>${ago(s.committed_at)}</td><td class="num">${s.latency_p95_ms === null ? "–" : num(s.latency_p95_ms / 1000, 1) + " s"}</td>
      <td class="num">${s.input_rows}</td><td class="num">${num(s.duration_ms / 1000, 1)} s</td></tr>`);
  return `<h1>Fleet</h1>${counts}${filters}
    <div class="grid">
      <section class="card" aria-labelledby="h-streams"><h2 id="h-streams">Streams</h2>
        ${table("Last committed micro-batch of each query (ops.stream_metrics)", ["job", "dataset", "#batch", "committed", "#latency p95", "#rows", "#took"], streamRows, "No streaming query has committed a batch yet.")}</section>
      <section class="card" aria-labelledby="h-models"><h2 id="h-models">Models</h2>
        ${table("Scoring the assets shown", ["dataset", "RUL model", "failure model", "#feature set"], models, "No predictions yet.")}
        ${champions.length ? table("Champions this server loaded (POST /predict)", ["dataset", "RUL model", "failure model", "#feature set"], champions, "") : ""}</section>
      <section class="card wide" aria-labelledby="h-assets"><h2 id="h-assets">Assets, worst first</h2>
        ${table(`Latest prediction of each asset (${assets.assets.length} of ${assets.total} shown; filter by level to see more)`,
          ["asset", "dataset", "level", "#RUL (90% interval)", "#failure p", placeHead(assets.assets, assets.clocks), "anomaly", "scored"], assetRows,
          "No predictions yet: score-stream or score-batch writes them to gold.predictions.")}</section>
      <section class="card wide" aria-labelledby="h-alerts"><h2 id="h-alerts">Open alerts</h2>
        ${table(`Newest first (${alerts.alerts.length} of ${alerts.total}); <a href="/alerts">all alerts</a>`, ["asset", ...alertHead(alerts.alerts, alerts.clocks)], alertRows(alerts.alerts, true, alerts.clocks), "No open alerts.")}</section>
      <section class="card wide" aria-labelledby="h-orders"><h2 id="h-orders">Work orders due soon</h2>
        ${table(`Most urgent first (${orders.work_orders.length} of ${orders.total}); <a href="/work-orders">all work orders</a>`, ["asset", ...workOrderHead(orders.work_orders, orders.clocks)], workOrderRows(orders.work_orders, true, orders.clocks), "No open work orders.")}</section>
    </div>`;
}

let charts = [];

// How the asset's dataset counts time (the API's clock): a time fleet's cycle is a tick of
// interval_ms since tick_epoch, drawn on a time axis, and its RUL is in hours.
const CYCLE_CLOCK = { kind: "cycle", interval_ms: 0, tick_epoch: null, rul_unit: "cycles" };
const timed = (clock) => clock.kind === "time";
const tickSeconds = (clock, tick) => Date.parse(clock.tick_epoch) / 1000 + (tick * clock.interval_ms) / 1000;
const positions = (clock, cycles) => (timed(clock) ? cycles.map((c) => tickSeconds(clock, c)) : cycles);

async function assetPage(assetId) {
  const dataset = query().get("dataset") || "";
  const path = `/api/v1/assets/${encodeURIComponent(assetId)}`;
  const [a, readings] = await Promise.all([api(path + qs({ dataset })),
    api(path + "/readings" + qs({ dataset })).catch((e) => (e.status === 404 ? null : Promise.reject(e)))]);
  const p = a.latest;
  const clock = a.clock || CYCLE_CLOCK;
  const over = timed(clock) ? "time" : "cycles";
  const points = timed(clock) ? "readings" : "cycles";
  const sensors = readings ? keySensors(readings) : [];
  pending.push(() => drawCharts(a, readings, sensors, clock));
  return `<h1>${esc(a.asset_id)} <span class="muted">${esc(a.dataset)}</span> ${level(p.risk_level)}</h1>
    <section class="summary" aria-label="Latest prediction">
      ${timed(clock) ? `<div><span class="muted">reading at</span><b>${esc(p.event_time ? p.event_time.slice(0, 16).replace("T", " ") : "–")}</b></div>`
        : `<div><span class="muted">cycle</span><b>${p.cycle}</b></div>`}
      <div><span class="muted">predicted RUL, ${esc(clock.rul_unit)} (90% interval)</span><b data-testid="predicted-rul">${rulText(p)}</b></div>
      <div><span class="muted">failure probability</span><b>${pct(p.failure_probability)}</b></div>
      <div><span class="muted">anomaly</span><b>${esc(p.anomaly_severity || "NONE")}</b>${(p.anomaly_reasons || []).map((r) => `<span class="muted">${esc(r)}</span>`).join(", ")}</div>
      <div><span class="muted">models</span><b>${esc(p.rul_model_version)} · ${esc(p.failure_model_version)}</b><span class="muted">feature set v${p.feature_set_version}, scored ${ago(p.scored_at)}</span></div>
    </section>
    <div class="grid">
      <section class="card" aria-labelledby="h-rul"><h2 id="h-rul">Predicted RUL over ${over}</h2>
        <div id="rul-chart" class="chart" role="img" aria-label="Predicted remaining useful life in ${esc(clock.rul_unit)} of the last ${a.predictions.length} ${points}, with its 90% interval; anomalies marked"></div>
        <p class="legend-note">Band: 90% interval. Red points: ${points} flagged as anomalies. Last ${a.predictions.length} ${points} kept by the server.</p></section>
      <section class="card" aria-labelledby="h-prob"><h2 id="h-prob">Failure probability over ${over}</h2>
        <div id="prob-chart" class="chart" role="img" aria-label="Failure probability of the last ${a.predictions.length} ${points}"></div></section>
      <section class="card wide" aria-labelledby="h-sensors"><h2 id="h-sensors">Key sensors</h2>
        ${readings ? `<p class="legend-note">The ${sensors.length} sensors that moved most with ${timed(clock) ? "time" : "the cycle"} over the last ${readings.cycles.length} ${points} (silver.telemetry).
          <label>Another sensor <select id="sensor-pick" data-key="sensor-pick"><option value="">–</option>
          ${Object.keys(readings.values).map((n) => `<option>${esc(n)}</option>`).join("")}</select></label></p>
          <div class="sensors">${sensors.map((n) => `<div class="sensor-chart" data-sensor="${esc(n)}" role="img" aria-label="${esc(n)} over the last ${readings.cycles.length} ${points}"></div>`).join("")}
          <div class="sensor-chart" id="sensor-extra" role="img" aria-label="the sensor chosen above"></div></div>`
          : `<p class="muted">No readings of this asset in the server's view of silver.telemetry yet.</p>`}</section>
      <section class="card wide" aria-labelledby="h-a-alerts"><h2 id="h-a-alerts">Alerts</h2>
        ${table("Newest first", alertHead(a.alerts, { [a.dataset]: clock }), alertRows(a.alerts, false, { [a.dataset]: clock }), "No alerts for this asset.")}</section>
      <section class="card wide" aria-labelledby="h-a-orders"><h2 id="h-a-orders">Work orders</h2>
        ${table("Most urgent first", workOrderHead(a.work_orders, { [a.dataset]: clock }), workOrderRows(a.work_orders, false, { [a.dataset]: clock }), "No work orders for this asset.")}</section>
      <section class="card wide" aria-labelledby="h-events"><h2 id="h-events">Failures and maintenance</h2>
        ${table("Recorded through feedback and completed work orders (gold.asset_events)", ["event", "#cycle", "detail", "recorded"],
          a.events.map((e) => `<tr><td>${esc(e.kind)}</td><td class="num">${e.cycle ?? "–"}</td><td>${esc(e.part || e.note || "")}</td><td>${ago(e.recorded_at)}</td></tr>`),
          "Nothing recorded.")}</section>
    </div>`;
}

// The sensors whose readings follow the cycle most closely (|Pearson r|): a wearing asset's trends.
function keySensors(readings, n = 4) {
  const x = readings.cycles;
  const score = (ys) => {
    const pts = ys.map((y, i) => [x[i], y]).filter(([, y]) => y !== null);
    if (pts.length < 3) return 0;
    const mx = pts.reduce((s, [a]) => s + a, 0) / pts.length;
    const my = pts.reduce((s, [, b]) => s + b, 0) / pts.length;
    let sxy = 0, sxx = 0, syy = 0;
    pts.forEach(([a, b]) => { sxy += (a - mx) * (b - my); sxx += (a - mx) ** 2; syy += (b - my) ** 2; });
    return sxx > 0 && syy > 0 ? Math.abs(sxy / Math.sqrt(sxx * syy)) : 0;
  };
  return Object.entries(readings.values).map(([name, ys]) => [name, score(ys)])
    .filter(([, r]) => r > 0).sort((a, b) => b[1] - a[1]).slice(0, n).map(([name]) => name);
}

function sensorChart(el, readings, name, clock) {
  el.dataset.sensor = name;
  return new uPlot({
    width: Math.max(240, el.clientWidth - 4), height: 170, title: name, scales: { x: { time: timed(clock) } },
    legend: { show: false }, axes: [{}, { size: 60 }],
    series: [{ label: timed(clock) ? "time" : "cycle" }, { label: name, stroke: "#57606a", width: 1.5, spanGaps: false }],
  }, [positions(clock, readings.cycles), readings.values[name]], el);
}

function drawCharts(a, readings, sensors, clock) {
  charts.forEach((c) => c.destroy());
  charts = [];
  if (readings) {
    document.querySelectorAll(".sensor-chart[data-sensor]").forEach((el) => charts.push(sensorChart(el, readings, el.dataset.sensor, clock)));
    const pick = document.getElementById("sensor-pick");
    const extra = document.getElementById("sensor-extra");
    let extraChart = null;
    const drawExtra = () => {
      if (extraChart) { extraChart.destroy(); charts = charts.filter((c) => c !== extraChart); extraChart = null; }
      sessionStorage.setItem("pdm.sensor", pick.value);
      if (pick.value && readings.values[pick.value]) { extraChart = sensorChart(extra, readings, pick.value, clock); charts.push(extraChart); }
    };
    pick.value = sessionStorage.getItem("pdm.sensor") || "";
    pick.addEventListener("change", drawExtra);
    drawExtra();
  }
  const rows = [...a.predictions].reverse();
  const x = positions(clock, rows.map((r) => r.cycle));
  const anomaly = rows.map((r) => (r.anomaly_severity && r.anomaly_severity !== "NONE" ? r.predicted_rul : null));
  const rulEl = document.getElementById("rul-chart");
  const probEl = document.getElementById("prob-chart");
  const width = Math.max(320, rulEl.clientWidth - 8);
  const xLabel = timed(clock) ? "time" : "cycle";
  const axes = (y) => [{ label: xLabel }, { label: y }];
  charts.push(new uPlot({
    width, height: 280, scales: { x: { time: timed(clock) } }, axes: axes(clock.rul_unit),
    series: [{ label: xLabel },
      { label: "predicted RUL", stroke: "#0969da", width: 2, points: { show: true, size: 4 } },
      { label: "90% lower", stroke: "#8cb4ff", dash: [4, 4] },
      { label: "90% upper", stroke: "#8cb4ff", dash: [4, 4] },
      { label: "anomaly", stroke: "#cf222e", paths: () => null, points: { show: true, size: 10, fill: "#cf222e" } }],
    bands: [{ series: [3, 2], fill: "rgba(9,105,218,0.12)" }],
  }, [x, rows.map((r) => r.predicted_rul), rows.map((r) => r.rul_lower ?? r.predicted_rul), rows.map((r) => r.rul_upper ?? r.predicted_rul), anomaly], rulEl));
  charts.push(new uPlot({
    width, height: 280, scales: { x: { time: timed(clock) }, y: { range: [0, 1] } }, axes: axes("probability"),
    series: [{ label: xLabel }, { label: "failure probability", stroke: "#bc4c00", width: 2, points: { show: true, size: 4 } }],
  }, [x, rows.map((r) => r.failure_probability)], probEl));
  rulEl.dataset.points = String(x.length);
}

async function alertsPage() {
  const status = query().get("status") || "open,acknowledged";
  const r = await api(`/api/v1/alerts${qs({ status: status === "all" ? "" : status, limit: 500 })}`);
  return `<h1>Alerts</h1>${statusFilter(status, [["open,acknowledged", "open and acknowledged"], ["open", "open"], ["acknowledged", "acknowledged"], ["resolved", "resolved"], ["all", "all"]])}
    <section class="card">${table(`Newest first (${r.alerts.length} of ${r.total})`, ["asset", ...alertHead(r.alerts, r.clocks)], alertRows(r.alerts, true, r.clocks), "No alerts.")}</section>`;
}

async function workOrdersPage() {
  const status = query().get("status") || "open,scheduled";
  const r = await api(`/api/v1/work-orders${qs({ status: status === "all" ? "" : status, limit: 500 })}`);
  return `<h1>Work orders</h1>${statusFilter(status, [["open,scheduled", "open and scheduled"], ["open", "open"], ["scheduled", "scheduled"], ["done", "done"], ["cancelled", "cancelled"], ["all", "all"]])}
    <section class="card">${table(`Most urgent first (${r.work_orders.length} of ${r.total})`, ["asset", ...workOrderHead(r.work_orders, r.clocks)], workOrderRows(r.work_orders, true, r.clocks), "No work orders.")}</section>`;
}

async function modelsPage() {
  const dataset = query().get("dataset") || "";
  const [m, drift] = await Promise.all([api("/api/v1/models"), api(`/api/v1/drift-reports${qs({ dataset, limit: 200 })}`)]);
  const models = m.models.filter((x) => !dataset || x.dataset === dataset);
  const metric = (v) => Object.entries(v.metrics).filter(([k]) => !k.includes("_fold")).slice(0, 6)
    .map(([k, x]) => `${esc(k)} ${num(x, k.startsWith("auc") || k.startsWith("f1") ? 3 : 2)}`).join(" · ");
  const rows = models.flatMap((x) => (x.versions.length ? x.versions : [null]).map((v) => `<tr>
      <td>${esc(x.dataset)}</td><td>${esc(x.task)}</td><td><a href="${esc(x.mlflow_url)}" rel="noopener">${esc(x.name)}</a></td>
      <td>${v ? `<a href="${esc(v.mlflow_url)}" rel="noopener">v${esc(v.version)}</a>` : "–"}</td>
      <td>${v ? v.aliases.map((a) => `<span class="alias alias-${esc(a)}">${esc(a)}</span>`).join(" ") : "no champion or challenger"}</td>
      <td class="num">${v && v.feature_set_version !== null ? "v" + v.feature_set_version : "–"}</td>
      <td>${v ? metric(v) : ""}</td></tr>`));
  const reports = drift.drift_reports.map((d) => `<tr><td>${ago(d.created_at)}</td><td>${esc(d.dataset)}</td>
      <td>${esc(d.model_name)} v${esc(d.model_version)}</td><td>${esc(d.selection)}</td><td class="num">${d.current_rows}</td>
      <td class="num">${d.drifted_share === null ? "–" : pct(d.drifted_share)}</td><td class="num">${num(d.rmse, 2)}</td>
      <td>${d.retrain ? "<strong>retrain</strong>" : "no"}</td><td class="wrap">${d.reasons.map(esc).join("; ")}</td>
      <td>${d.html_url ? `<a href="${esc(d.html_url)}" data-key="report-${esc(d.report_id)}">report</a>` : "–"}</td></tr>`);
  return `<h1>Models and drift</h1>
    ${m.error ? `<p class="message" role="alert">${esc(m.error)}</p>` : ""}
    <section class="card" aria-labelledby="h-models"><h2 id="h-models">Registered models</h2>
      ${table(`Champion and challenger of each dataset's task, from the registry at <a href="${esc(m.mlflow_uri)}" rel="noopener">${esc(m.mlflow_uri)}</a> (cross-validated metrics)`,
        ["dataset", "task", "registered model", "version", "alias", "#feature set", "metrics"], rows, "No pdm models in the registry yet: bin/pdm train registers them.")}</section>
    <section class="card" aria-labelledby="h-drift" style="margin-top: 16px"><h2 id="h-drift">Drift reports</h2>
      ${table(`Newest first (${drift.drift_reports.length} of ${drift.total}; ops.drift_reports; bin/pdm drift-report writes them, the retraining DAG reads the decision)`,
        ["made", "dataset", "model", "window", "#rows", "#features drifted", "#RMSE", "decision", "reasons", "page"], reports, "No drift reports yet.")}</section>`;
}

const statusFilter = (status, options) => `<form class="filters" id="filters"><label>Status <select name="status" data-key="f-status">
    ${options.map(([v, l]) => `<option value="${v}"${v === status ? " selected" : ""}>${l}</option>`).join("")}</select></label></form>`;

// ---- router and live updates -------------------------------------------------------------------
const ROUTES = [
  [/^\/$/, overview, "/"],
  [/^\/assets\/([^/]+)$/, (m) => assetPage(decodeURIComponent(m[1])), null],
  [/^\/alerts$/, alertsPage, "/alerts"],
  [/^\/work-orders$/, workOrdersPage, "/work-orders"],
  [/^\/models$/, modelsPage, "/models"],
];
let pending = [];
let rendering = null;
let again = false;

// Draws the page the address names; a redraw keeps the focused control and the scroll position.
async function render() {
  if (rendering) { again = true; return rendering; }
  rendering = (async () => {
    do {
      again = false;
      const route = ROUTES.find(([re]) => re.test(location.pathname));
      document.querySelectorAll("header nav a").forEach((a) => a.toggleAttribute("aria-current", route && a.getAttribute("href") === route[2]));
      if (route) document.querySelector("header nav a[aria-current]")?.setAttribute("aria-current", "page");
      const focused = document.activeElement?.dataset?.key;
      const scroll = window.scrollY;
      pending = [];
      let html;
      try {
        html = route ? await route[1](location.pathname.match(route[0])) : `<h1>Not found</h1><p>No page ${esc(location.pathname)}. <a href="/">The fleet</a>.</p>`;
      } catch (e) {
        html = `<h1>Cannot show this page</h1><p>${esc(e.message)}</p><p><a href="/">The fleet</a></p>`;
      }
      main.innerHTML = html;
      main.setAttribute("aria-busy", "false");
      pending.forEach((f) => f());
      document.title = `pdm · ${main.querySelector("h1")?.textContent.trim() || "fleet"}`;
      if (focused) main.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
      window.scrollTo(0, scroll);
      main.dataset.rendered = String(Date.now());
    } while (again);
  })();
  try { await rendering; } finally { rendering = null; }
}

function go(href) {
  history.pushState(null, "", href);
  render().then(() => main.focus({ preventScroll: true }));
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || /^\/(api|ui|metrics)\b/.test(url.pathname)) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
main.addEventListener("click", onAction);
main.addEventListener("change", (e) => {
  const form = e.target.closest("form#filters");
  if (!form) return;
  const params = Object.fromEntries([...new FormData(form).entries()]);
  history.replaceState(null, "", location.pathname + qs(params));
  render();
});
window.addEventListener("popstate", () => render());

operator.value = localStorage.getItem("pdm.operator") || "";
operator.addEventListener("change", () => localStorage.setItem("pdm.operator", operator.value.trim()));
document.getElementById("token-button").addEventListener("click", askToken);

// The server tells when a table moved; without the stream (refused, or a proxy in the way) poll.
let lastVersions = null;
let pollTimer = null;
function setLive(state, text) { live.dataset.state = state; live.textContent = text; }
function connect() {
  const source = new EventSource("/api/v1/live");
  source.addEventListener("versions", (e) => {
    setLive("live", "live");
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    if (lastVersions !== null && lastVersions !== e.data) render();
    lastVersions = e.data;
  });
  source.onerror = () => {
    setLive("polling", "reconnecting (polling)");
    if (!pollTimer) pollTimer = setInterval(render, POLL_MS);
  };
}

render();
connect();
