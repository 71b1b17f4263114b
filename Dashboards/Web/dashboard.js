// Vox dashboard: loads a run's window rows, alerts, examples and emerging terms from the JSON API, draws them with Chart.js,
// and follows /events (Server-Sent Events) for newly closed windows and alerts. No build step, no network access
// beyond the server that serves it.
"use strict";

const COLORS = { negative: "#c9413a", neutral: "#8a9099", positive: "#2b8a4f" };
const VOICE_COLORS = ["#3457d5", "#e08a1e", "#8e44ad", "#16a2b8", "#d63384", "#6c8a1f", "#795548", "#607d8b"];
const MAX_WINDOWS = 240;
const EXAMPLE_WINDOWS = 3;
const TERM_WINDOWS = 24;
const TERM_ROWS = 15;

const state = {
  windows: new Map(), // "start|topic" -> row
  alerts: new Map(), // "start|topic|kind" -> alert
  examples: [],
  terms: [],
  topic: new URLSearchParams(location.search).get("topic") || "all",
  charts: {},
  lastEvent: 0,
  renderQueued: false,
};

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const lastEvent = Number(response.headers.get("Vox-Last-Event-ID") || 0);
  return { body: await response.json(), lastEvent };
}

function addWindow(row) { state.windows.set(`${row.window_start}|${row.topic}`, row); }
function addAlert(alert) { state.alerts.set(`${alert.window_start}|${alert.topic}|${alert.kind}`, alert); }

function label(iso) { return iso.slice(5, 16).replace("T", " "); }
function percent(value) { return value == null ? "–" : `${(value * 100).toFixed(1)}%`; }
/** The negative share, corrected when the model was adapted, with its 95% interval as ± half its width. */
function interval(row) {
  if (!(row.posts > 0) || row.negative_share_low == null) return "–";
  const centre = row.negative_share_adjusted ?? row.negative_share;
  const half = (row.negative_share_high - row.negative_share_low) / 2;
  return `${percent(centre)} ±${(half * 100).toFixed(1)}`;
}
function signed(value) { return value == null ? "–" : (value >= 0 ? "+" : "") + value.toFixed(3); }

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function starts() {
  const all = new Set();
  for (const row of state.windows.values()) all.add(row.window_start);
  return [...all].sort().slice(-MAX_WINDOWS);
}

function rowsAt(start) {
  return [...state.windows.values()].filter((row) => row.window_start === start);
}

function topics() {
  const kinds = new Map();
  for (const row of state.windows.values()) kinds.set(row.topic, row.topic_kind);
  const order = { all: 0, taxonomy: 1, watch: 2 };
  return [...kinds.entries()].sort((a, b) => order[a[1]] - order[b[1]] || a[0].localeCompare(b[0]));
}

function fillTopicSelect() {
  const select = document.getElementById("topic-select");
  const known = topics();
  if (select.options.length === known.length) return;
  select.replaceChildren(...known.map(([name, kind]) =>
    element("option", { value: name, text: kind === "watch" ? `${name} (watch)` : name })));
  if (!known.some(([name]) => name === state.topic)) state.topic = "all";
  select.value = state.topic;
}

function makeChart(id, config) {
  const canvas = document.getElementById(id);
  config.options = Object.assign({ animation: false, maintainAspectRatio: false, responsive: true }, config.options);
  return new Chart(canvas, config);
}

function createCharts() {
  const stackedShare = {
    scales: {
      x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      y: { stacked: true, min: 0, max: 1, ticks: { callback: (value) => `${Math.round(value * 100)}%` } },
    },
    plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.parsed.y)}` } } },
    interaction: { mode: "index", intersect: false },
  };
  state.charts.shares = makeChart("shares-chart", {
    type: "line",
    data: {
      labels: [],
      datasets: ["negative", "neutral", "positive"].map((name, index) => ({
        label: name, data: [], borderColor: COLORS[name], backgroundColor: COLORS[name] + "99",
        fill: index === 0 ? "origin" : "-1", pointRadius: 0, borderWidth: 1, spanGaps: false,
      })),
    },
    options: Object.assign({}, stackedShare, {
      scales: Object.assign({}, stackedShare.scales, { band: { display: false, stacked: false, min: 0, max: 1 } }),
      plugins: Object.assign({}, stackedShare.plugins, {
        legend: { labels: { filter: (item) => item.text !== "negative 95% low" } },
      }),
    }),
  });
  // The negative share's 95% interval (a band) and, for an adapted model, its corrected value (dashed), drawn on an
  // unstacked axis with the same scale as the stack, whose bottom layer is the negative share.
  state.charts.shares.data.datasets.push(
    { label: "negative 95% low", data: [], yAxisID: "band", borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
    { label: "negative 95% interval", data: [], yAxisID: "band", borderWidth: 0, pointRadius: 0, spanGaps: false,
      fill: "-1", backgroundColor: "rgba(120, 20, 20, 0.25)" },
    { label: "negative (corrected)", data: [], yAxisID: "band", borderColor: "#7a1010", borderDash: [5, 4],
      borderWidth: 1.5, pointRadius: 0, fill: false, spanGaps: false });
  state.charts.volume = makeChart("volume-chart", {
    type: "bar",
    data: { labels: [], datasets: [{ label: "posts", data: [], backgroundColor: "#3457d5" }] },
    options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } } } },
  });
  state.charts.voice = makeChart("voice-chart", {
    type: "bar",
    data: { labels: [], datasets: [] },
    options: Object.assign({}, stackedShare, {
      scales: {
        x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked: true, min: 0, max: 1, ticks: { callback: (value) => `${Math.round(value * 100)}%` } },
      },
    }),
  });
}

function renderCharts(windowStarts) {
  const byStart = new Map();
  for (const row of state.windows.values()) if (row.topic === state.topic) byStart.set(row.window_start, row);
  const labels = windowStarts.map(label);
  const shares = state.charts.shares;
  shares.data.labels = labels;
  ["negative_share", "neutral_share", "positive_share"].forEach((field, index) => {
    // A window without posts has no shares: a gap, not a zero.
    shares.data.datasets[index].data = windowStarts.map((start) => {
      const row = byStart.get(start);
      return row && row.posts > 0 ? row[field] : null;
    });
  });
  const band = (field) => windowStarts.map((start) => {
    const row = byStart.get(start);
    return row && row.posts > 0 && row[field] != null ? row[field] : null;
  });
  shares.data.datasets[3].data = band("negative_share_low");
  shares.data.datasets[4].data = band("negative_share_high");
  shares.data.datasets[5].data = band("negative_share_adjusted");
  shares.update("none");
  const volume = state.charts.volume;
  volume.data.labels = labels;
  volume.data.datasets[0].data = windowStarts.map((start) => byStart.get(start)?.posts ?? 0);
  volume.update("none");

  const watch = topics().filter(([, kind]) => kind === "watch").map(([name]) => name);
  const voice = state.charts.voice;
  voice.data.labels = labels;
  voice.data.datasets = watch.map((name, index) => {
    const rows = new Map();
    for (const row of state.windows.values()) if (row.topic === name) rows.set(row.window_start, row);
    const color = VOICE_COLORS[index % VOICE_COLORS.length];
    return { label: name, data: windowStarts.map((start) => rows.get(start)?.share_of_voice ?? 0), backgroundColor: color };
  });
  voice.update("none");
  document.getElementById("voice-empty").hidden = watch.length > 0;
  for (const id of ["shares-topic", "volume-topic"]) document.getElementById(id).textContent = state.topic;
}

function renderLatest(windowStarts) {
  const latest = windowStarts[windowStarts.length - 1];
  const body = document.querySelector("#latest-table tbody");
  if (!latest) { body.replaceChildren(); return; }
  const first = rowsAt(latest)[0];
  document.getElementById("latest-window").textContent = `${latest} – ${first.window_end}`;
  const order = { all: 0, taxonomy: 1, watch: 2 };
  const rows = rowsAt(latest).sort((a, b) => order[a.topic_kind] - order[b.topic_kind] || b.posts - a.posts);
  body.replaceChildren(...rows.map((row) => element("tr", { class: row.topic_kind, "data-topic": row.topic },
    element("td", { text: row.topic }),
    element("td", { text: row.topic_kind }),
    element("td", { class: "num", text: String(row.posts) }),
    element("td", { class: "num negative", text: percent(row.negative_share) }),
    element("td", { class: "num negative", text: interval(row) }),
    element("td", { class: "num", text: percent(row.neutral_share) }),
    element("td", { class: "num positive", text: percent(row.positive_share) }),
    element("td", { class: "num", text: signed(row.net_sentiment) }),
    element("td", { class: "num", text: percent(row.share_of_voice) }),
    element("td", { class: "num", text: String(row.abstained ?? 0) }),
    element("td", { class: "num", text: String(row.reposts ?? 0) }))));
}

// " over 12 h" when the alert pooled windows before its own (a slow drift), otherwise nothing.
function spanText(alert) {
  if (!alert.span_start || alert.span_start === alert.window_start) return "";
  const hours = (Date.parse(alert.window_end) - Date.parse(alert.span_start)) / 3600000;
  return ` over ${hours} h`;
}

function renderAlerts(windowStarts) {
  const latest = windowStarts[windowStarts.length - 1];
  const alerts = [...state.alerts.values()].sort((a, b) => b.window_start.localeCompare(a.window_start)).slice(0, 50);
  document.getElementById("alerts-empty").hidden = alerts.length > 0;
  document.querySelector("#alerts-table tbody").replaceChildren(...alerts.map((alert) => {
    const isShare = alert.kind === "negative_share";
    const value = (number) => (isShare ? percent(number) : number.toFixed(1));
    // Alerts of the latest closed window are the current ones.
    const current = alert.window_start === latest;
    return element("tr", { "data-topic": alert.topic, class: current ? "current" : "", title: current ? "current" : "" },
      element("td", { text: label(alert.window_start) }),
      element("td", { text: alert.topic }),
      element("td", { text: isShare ? "negative share" + spanText(alert) : "volume" }),
      element("td", { class: "num", text: value(alert.value) }),
      element("td", { class: "num", text: value(alert.baseline) }),
      element("td", { class: "num", text: (alert.deviation >= 0 ? "+" : "") + alert.deviation.toFixed(1) }),
      element("td", { class: "num", text: alert.incident ? "#" + alert.incident : "" }));
  }));
}

// A post's text with its explanation (from `--explain-examples`) drawn on it: words that pushed toward the label
// shaded in its colour by weight, words that pushed against it underlined; the weight on hover.
function postText(post, kind) {
  const words = Array.isArray(post.explanation) ? post.explanation : [];
  const top = Math.max(0, ...words.map((word) => Math.abs(word.weight)));
  if (!top) return element("span", { class: "text", text: post.text });
  const parts = [];
  let cursor = 0;
  for (const word of words) {
    const at = post.text.indexOf(word.text, cursor);
    if (at < 0) continue;
    if (at > cursor) parts.push(document.createTextNode(post.text.slice(cursor, at)));
    const strength = Math.abs(word.weight) / top;
    if (strength < 0.15) {
      parts.push(document.createTextNode(word.text));
    } else {
      const mark = element("mark", {
        class: word.weight > 0 ? `support ${kind}` : "against", text: word.text,
        title: `${word.weight > 0 ? "+" : ""}${word.weight.toFixed(3)} toward ${kind}`,
      });
      mark.style.setProperty("--strength", strength.toFixed(2));
      parts.push(mark);
    }
    cursor = at + word.text.length;
  }
  if (cursor < post.text.length) parts.push(document.createTextNode(post.text.slice(cursor)));
  return element("span", { class: "text explained" }, ...parts);
}

function postItem(post, kind) {
  const p = post.probs;
  return element("li", {},
    element("span", { class: `tag ${kind}`, text: `${kind} ${(p[kind] * 100).toFixed(0)}%` }),
    postText(post, kind),
    element("span", { class: "probs", text: `neg ${p.negative.toFixed(2)} · neu ${p.neutral.toFixed(2)} · pos ${p.positive.toFixed(2)}` }));
}

function renderExamples() {
  const recent = [...new Set(state.examples.map((row) => row.window_start))].sort().slice(-EXAMPLE_WINDOWS);
  const byTopic = new Map();
  for (const row of state.examples) {
    if (!recent.includes(row.window_start)) continue;
    // In a small window the same post can be both the "most negative" and the "most positive": list each post
    // once, on the side its probabilities lean to.
    const entry = byTopic.get(row.topic) || { negative: new Map(), positive: new Map() };
    for (const post of [...row.most_negative, ...row.most_positive]) {
      (post.probs.negative >= post.probs.positive ? entry.negative : entry.positive).set(post.id, post);
    }
    byTopic.set(row.topic, entry);
  }
  const names = [...byTopic.keys()].sort((a, b) => (b === state.topic) - (a === state.topic) || a.localeCompare(b));
  document.getElementById("examples").replaceChildren(...names.map((name) => {
    const entry = byTopic.get(name);
    const negative = [...entry.negative.values()].sort((a, b) => b.probs.negative - a.probs.negative).slice(0, 3);
    const positive = [...entry.positive.values()].sort((a, b) => b.probs.positive - a.probs.positive).slice(0, 3);
    const details = element("details", { "data-topic": name },
      element("summary", { text: name }),
      element("ul", { class: "posts" }, ...negative.map((post) => postItem(post, "negative")),
        ...positive.map((post) => postItem(post, "positive"))));
    if (name === state.topic) details.open = true;
    return details;
  }));
}

/** The selected topic's emerging terms, newest window first, then by score. */
function renderTerms() {
  document.getElementById("terms-topic").textContent = state.topic;
  const rows = state.terms.filter((row) => row.topic === state.topic)
    .sort((a, b) => b.window_start.localeCompare(a.window_start) || b.score - a.score).slice(0, TERM_ROWS);
  document.querySelector("#terms-table tbody").replaceChildren(...rows.map((row) => element("tr", {},
    element("td", { text: label(row.window_start) }), element("td", { class: "term", text: row.term }),
    element("td", { class: "num", text: String(row.count) }), element("td", { class: "num", text: percent(row.rate) }),
    element("td", { class: "num", text: percent(row.baseline_rate) }),
    element("td", { class: "num", text: row.score.toFixed(1) }))));
  document.getElementById("terms-empty").hidden = rows.length > 0;
}

function renderSummary(run) {
  if (!run) return;
  const text = `${run.posts.toLocaleString("en")} posts · ${run.windows} windows · ${run.alerts} alerts · ` +
    `${run.late} late · ${Object.values(run.dead_letters).reduce((a, b) => a + b, 0)} dead letters · model ${run.model}`;
  document.getElementById("run-summary").textContent = text;
}

function render() {
  state.renderQueued = false;
  const windowStarts = starts();
  // A page left open on a live run keeps only the windows it charts.
  const oldest = windowStarts[0];
  for (const [key, row] of state.windows) if (row.window_start < oldest) state.windows.delete(key);
  fillTopicSelect();
  renderCharts(windowStarts);
  renderLatest(windowStarts);
  renderAlerts(windowStarts);
  renderExamples();
  renderTerms();
}

function queueRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  setTimeout(render, 250);
}

let refreshTimer = null;
function queueRefresh() {
  // Examples and run.json are not in the event stream: fetch them again shortly after windows close.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    try {
      state.examples = (await getJSON(`api/examples?windows=${EXAMPLE_WINDOWS}`)).body;
      state.terms = (await getJSON(`api/terms?windows=${TERM_WINDOWS}`)).body;
      renderSummary((await getJSON("api/run")).body);
      queueRender();
    } catch (error) { console.warn(error); }
  }, 1000);
}

function follow() {
  const badge = document.getElementById("live");
  if (!window.EventSource || new URLSearchParams(location.search).get("live") === "0") {
    badge.textContent = "snapshot";
    return;
  }
  const events = new EventSource(`events?after=${state.lastEvent}`);
  events.onopen = () => { badge.textContent = "live"; badge.className = "badge live"; };
  events.onerror = () => { badge.textContent = "reconnecting"; badge.className = "badge down"; };
  events.addEventListener("window", (event) => { addWindow(JSON.parse(event.data)); queueRender(); queueRefresh(); });
  events.addEventListener("alert", (event) => { addAlert(JSON.parse(event.data)); queueRender(); });
}

async function start() {
  document.getElementById("topic-select").addEventListener("change", (event) => {
    state.topic = event.target.value;
    render();
  });
  try {
    const [windows, alerts, examples, terms] = await Promise.all([
      getJSON(`api/windows?windows=${MAX_WINDOWS}`), getJSON("api/alerts?limit=200"),
      getJSON(`api/examples?windows=${EXAMPLE_WINDOWS}`), getJSON(`api/terms?windows=${TERM_WINDOWS}`),
    ]);
    windows.body.forEach(addWindow);
    alerts.body.forEach(addAlert);
    state.examples = examples.body;
    state.terms = terms.body;
    state.lastEvent = Math.min(windows.lastEvent, alerts.lastEvent);
    try {
      renderSummary((await getJSON("api/run")).body);
    } catch (error) {
      document.getElementById("run-summary").textContent = "Waiting for the job: no run.json in the folder yet.";
    }
    createCharts();
    render();
    document.body.dataset.state = "ready";
    follow();
  } catch (error) {
    document.getElementById("run-summary").textContent = `Could not load the run: ${error.message}`;
    document.body.dataset.state = "error";
  }
}

start();
