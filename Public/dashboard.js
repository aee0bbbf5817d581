// backingd dashboard: follows this node's event stream (GET /v1/events, Server-Sent Events) and redraws
// from its API when an event arrives; it polls once a second only while the stream is down. Plain DOM, no
// dependencies. Data goes into the page with textContent only (never innerHTML), so no payload can inject markup.
"use strict";

const POLL_MS = 1000;
// Redraws at most this often however many events arrive (a block brings a burst of them).
const REDRAW_MS = 300;
// Every event but dispute.statements, which a v0.9.12 node sends for each statement it imports.
const STREAMED_EVENTS = ["statement.share", "statement.backed", "collator.seconded", "collator.invalid",
  "provisioner.backed", "provisioner.misbehavior", "availability.stored"];
const FEED_LENGTH = 12;
let devnet = undefined; // undefined: not asked yet; null: this node is not part of a devnet.

/** Creates an element: el("td", {class: "hash", title: "…"}, "text", childNode…). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces the children of #id. */
function fill(id, ...children) {
  document.getElementById(id).replaceChildren(...children.flat());
}

/** 0x1234…abcd, with the full hash as a tooltip. */
function short(hash) {
  return el("span", { class: "hash", title: hash }, hash ? `${hash.slice(0, 8)}…${hash.slice(-4)}` : "—");
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------- /metrics

/** Prometheus text → [{name, labels, value}]. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/);
    if (!match) continue;
    const labels = {};
    for (const pair of (match[3] || "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `where`. */
function sum(samples, name, where = {}) {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

function figure(label, value, tone) {
  return el("div", { class: `figure ${tone || ""}` },
    el("div", { class: "value" }, Number.isFinite(value) ? value.toLocaleString("en") : value),
    el("div", { class: "label" }, label));
}

function drawFigures(samples) {
  const statementSeconds = sum(samples, "parachain_candidate_backing_process_statement_sum");
  const statementCount = sum(samples, "parachain_candidate_backing_process_statement_count");
  const rejected = sum(samples, "backingd_statements_rejected_total");
  const serverErrors = samples
    .filter((s) => s.name === "backingd_http_requests_total" && String(s.labels.status).startsWith("5"))
    .reduce((total, s) => total + s.value, 0);
  fill("figures",
    figure("candidates backed", sum(samples, "backingd_candidates_backed_total")),
    figure("candidates seconded", sum(samples, "parachain_candidate_backing_candidates_seconded_total")),
    figure("statements signed", sum(samples, "parachain_candidate_backing_signed_statements_total")),
    figure("statements imported", statementCount),
    figure("mean statement import",
      statementCount ? `${((statementSeconds / statementCount) * 1000).toFixed(2)} ms` : "—"),
    figure("statements rejected", rejected, rejected > 0 ? "warn" : ""),
    figure("validations running", sum(samples, "backingd_validations_running")),
    figure("validation queue", sum(samples, "backingd_validation_queue_length")),
    figure("HTTP requests", sum(samples, "backingd_http_requests_total")),
    figure("HTTP 5xx", serverErrors, serverErrors > 0 ? "bad" : ""));
}

// ---------------------------------------------------------------- leaves and candidates

/** The strict majority of a group (the seed's rule, n/2 + 1). */
function quorum(groupSize) {
  return Math.floor(groupSize / 2) + 1;
}

function voteBar(votes, groupSize) {
  const needed = quorum(groupSize);
  const width = groupSize ? Math.min(100, (votes / groupSize) * 100) : 0;
  return el("div", { class: "votes", title: `${votes} of ${groupSize} votes, ${needed} needed` },
    el("div", { class: `fill ${votes >= needed ? "quorum" : ""}`, style: `width:${width}%` }),
    el("div", { class: "quorum-mark", style: `left:${(needed / Math.max(groupSize, 1)) * 100}%` }),
    el("div", { class: "text" }, `${votes}/${groupSize} · need ${needed}`));
}

function drawLeaves(leaves) {
  leaves.sort((a, b) => b.number - a.number);
  const ours = leaves.find((l) => l.validatorIndex !== null);
  document.getElementById("leaves-summary").textContent = leaves.length ? `${leaves.length} active` : "";
  if (!leaves.length) return fill("leaves", el("p", { class: "empty" }, "No active leaf."));
  fill("leaves", leaves.map((leaf) => {
    const groups = Object.entries(leaf.groups).sort(([a], [b]) => a - b);
    const mine = leaf.assignment ? leaf.assignment.paraId : null;
    const myCore = leaf.assignment && leaf.assignment.coreIndex != null ? leaf.assignment.coreIndex : null;
    // A leaf with a claim queue lists its cores (core → para and group); a v0.9.12 leaf its groups by para.
    const groupLabels = leaf.cores
      ? leaf.cores.map((c) => el("span", { class: `group ${c.coreIndex === myCore ? "ours" : ""}`, "data-core": c.coreIndex },
        `core ${c.coreIndex} · para ${c.paraId}: [${c.group.join(", ")}]`))
      : groups.map(([para, members]) =>
        el("span", { class: `group ${Number(para) === mine ? "ours" : ""}` },
          `para ${para}: [${members.join(", ")}]`));
    return el("div", { class: "leaf", "data-leaf": leaf.hash },
      el("h3", {}, `#${leaf.number}`, short(leaf.hash)),
      el("div", { class: "meta" },
        `session ${leaf.sessionIndex} · validator ${leaf.validatorIndex ?? "— (observer)"} · assignment `,
        mine === null ? "none" : el("strong", {}, myCore === null ? `para ${mine}` : `para ${mine} on core ${myCore}`),
        leaf.seconded ? " · seconded " : "", leaf.seconded ? short(leaf.seconded) : ""),
      el("div", { class: "groups" }, groupLabels),
      leaf.candidates.length
        ? leaf.candidates.map((c) => {
          const core = leaf.cores && c.coreIndex != null ? leaf.cores.find((x) => x.coreIndex === c.coreIndex) : null;
          const size = core ? core.group.length : (leaf.groups[String(c.paraId)] || []).length;
          return el("div", { class: "candidate", "data-candidate": c.candidateHash },
            short(c.candidateHash), el("span", { style: "white-space: nowrap" }, c.coreIndex != null ? `${c.paraId} · core ${c.coreIndex}` : c.paraId),
            voteBar(c.validityVotes, size),
            c.backed ? el("span", { class: "badge ok" }, "backed") : el("span", { class: "badge muted" }, "voting"));
        })
        : el("div", { class: "empty" }, "No candidate yet."));
  }));
  return ours;
}

function drawBacked(leaves) {
  const rows = [];
  for (const leaf of leaves) {
    for (const c of leaf.candidates.filter((c) => c.backed)) {
      rows.push(el("tr", { "data-backed-candidate": c.candidateHash },
        el("td", {}, short(c.candidateHash)),
        el("td", {}, c.coreIndex != null ? `${c.paraId} (core ${c.coreIndex})` : c.paraId), el("td", {}, `#${leaf.number}`),
        el("td", { class: "ok" }, c.validityVotes)));
    }
  }
  fill("backed", rows);
  document.getElementById("backed-empty").hidden = rows.length > 0;
}

function drawMisbehaviours(leaves) {
  const rows = [];
  for (const leaf of leaves) {
    for (const report of leaf.misbehaviours) {
      const m = report.misbehavior || {};
      rows.push(el("tr", {}, el("td", {}, `#${leaf.number}`), el("td", {}, report.validatorIndex),
        el("td", { class: "bad" }, m.kind || "?"), el("td", {}, m.variant || "")));
    }
  }
  fill("misbehaviours", rows);
  document.getElementById("misbehaviours-empty").hidden = rows.length > 0;
}

// ---------------------------------------------------------------- outbox

function drawOutbox(pending, failed, samples) {
  const retrying = pending.filter((d) => d.attempts > 0);
  fill("outbox-figures",
    figure("pending", pending.length - retrying.length),
    figure("retrying", retrying.length, retrying.length ? "warn" : ""),
    figure("dead (gave up)", failed.length, failed.length ? "bad" : ""),
    figure("delivered", sum(samples, "backingd_webhook_deliveries_total", { result: "delivered" })),
    figure("retries", sum(samples, "backingd_webhook_deliveries_total", { result: "retried" })));
  const rows = [...failed.map((d) => ["dead", d]), ...pending.map((d) => [d.attempts ? "retrying" : "pending", d])]
    .slice(0, 25)
    .map(([status, d]) => el("tr", {},
      el("td", { class: status === "dead" ? "bad" : status === "retrying" ? "warn" : "" }, status),
      el("td", {}, d.event), el("td", { class: "hash" }, d.url), el("td", {}, d.attempts),
      el("td", { class: "muted" }, d.lastError || ""), el("td", { class: "muted" }, d.createdAt)));
  fill("outbox", rows);
  document.getElementById("outbox-empty").hidden = rows.length > 0;
}

// ---------------------------------------------------------------- devnet

// Asynchronous backing: per para, the newest block's chain as the relay chain holds it.
function drawChains(info) {
  const newest = info.blocks.find((b) => b.chains);
  document.getElementById("chains-section").hidden = !newest;
  if (!newest) return;
  const arrow = () => el("span", { class: "link" }, "→");
  fill("chains", newest.chains.map((chain) => {
    const cores = info.cores.map((p, core) => (p === chain.paraId ? core : null)).filter((c) => c !== null);
    return el("div", { class: "chain", "data-chain-para": chain.paraId },
      el("span", { class: "para" }, `para ${chain.paraId}`,
        el("span", { class: "muted" }, cores.length > 1 ? ` · ${cores.length} cores` : "")),
      el("span", { class: "block included", title: "the included head" }, `included #${chain.includedNumber}`),
      chain.pendingAvailability.flatMap((hash) => [arrow(),
        el("span", { class: "block pending hash", title: `pending availability: ${hash}` }, short(hash))]),
      chain.backed.flatMap((hash, i) => [arrow(),
        el("span", { class: "block backed hash", title: `backed into #${newest.number}: ${hash}`, "data-chain-core": chain.cores[i] },
          short(hash), ` · core ${chain.cores[i]}`)]));
  }));
}

function drawDevnet(info) {
  const section = document.getElementById("network-section");
  section.hidden = false;
  const t = info.totals;
  const mode = (info.asyncBacking ? " · asynchronous backing" : info.v2 ? " · claim queue, V2 descriptors" : "") +
    (info.processes ? " · one process per node" : "");
  document.getElementById("network-summary").textContent =
    `${info.nodes.length} validators · paras ${info.paraIds.join(", ")}${mode} · a block every ${info.blockTimeMs / 1000} s · ` +
    `${t.blocks} blocks, ${t.parasBacked} backed, ${t.parasMissed} missed, ${t.disagreements} disagreements`;
  // With --processes every node is its own process: its pid and data folder in the tooltip. A node
  // process holds whatever description was PUT to it: only http(s) URLs become links.
  fill("nodes", info.nodes.map((n) => el("a", {
    class: `node ${n.url.endsWith(`:${location.port}`) ? "self" : ""}`,
    href: /^https?:\/\//.test(n.url) ? `${n.url}/` : undefined,
    title: [n.publicKey, n.pid != null ? `pid ${n.pid}` : null, n.dataDirectory].filter((x) => x).join(" · "),
  }, el("span", { class: "index" }, n.index), n.name)));
  fill("blocks-head", el("th", {}, "block"), el("th", {}, "hash"),
    info.paraIds.map((p) => el("th", {}, `para ${p}`)), el("th", {}, "statements"), el("th", {}, "nodes agree"));
  fill("blocks-body", info.blocks.slice(0, 10).map((b) => el("tr", {},
    el("td", {}, `#${b.number}`), el("td", {}, short(b.hash)),
    info.paraIds.map((p) => {
      // One candidate per core of the para (an elastic para has several in a block).
      const candidates = b.paras.filter((x) => x.paraId === p);
      if (!candidates.length) return el("td", { class: "muted" }, "—");
      return el("td", {}, candidates.map((para, i) => {
        const by = info.nodes[para.seconder] ? info.nodes[para.seconder].name : para.seconder;
        return el("div", { title: para.problem || `group [${para.group.join(", ")}], seconded by ${by}` },
          para.backed ? el("span", { class: "ok" }, "✓ backed") : el("span", { class: "bad" }, "✗ missed"),
          el("span", { class: "muted" },
            ` ${para.votes} votes · ${para.latencyMs != null ? `${Math.round(para.latencyMs)} ms` : "—"} · ${by}` +
            (para.coreIndex != null ? ` · core ${para.coreIndex}` : "")));
      }));
    }),
    el("td", {}, b.statements),
    el("td", {}, b.nodesAgree ? el("span", { class: "ok" }, "yes") : el("span", { class: "bad" }, "NO")))));
  drawChains(info);
}

// ---------------------------------------------------------------- event stream

/** One line of the live feed for an event from the stream. */
function feedItem(type, id, body) {
  const candidate = body.candidateHash || (body.candidate && body.candidate.candidateHash) || null;
  const para = body.paraId ?? (body.candidate && body.candidate.descriptor ? body.candidate.descriptor.paraId : undefined);
  return el("li", { "data-stream-event": type, "data-stream-id": id, "data-stream-candidate": candidate },
    el("span", { class: "muted" }, `#${id} `), el("strong", {}, type),
    para !== undefined ? ` · para ${para}` : "", candidate ? " · " : "", candidate ? short(candidate) : "");
}

let streamedCount = 0;
let redrawTimer = null;
let pollTimer = null;
let streamUp = false;

function onStreamed(event) {
  let body = {};
  try { body = JSON.parse(event.data); } catch (error) { /* the feed shows the name alone */ }
  streamedCount += 1;
  // Markers for scripts/dashboard-check.sh: what came through the stream, not through a poll.
  document.body.dataset.streamEvents = String(streamedCount);
  document.body.dataset.streamLastId = event.lastEventId;
  const feed = document.getElementById("feed");
  feed.prepend(feedItem(event.type, event.lastEventId, body));
  while (feed.children.length > FEED_LENGTH) feed.lastChild.remove();
  document.getElementById("feed-empty").hidden = true;
  if (redrawTimer === null) redrawTimer = setTimeout(() => { redrawTimer = null; refresh(); }, REDRAW_MS);
}

/** Polls once a second until the stream is up again (the browser reconnects it by itself, with Last-Event-ID). */
function pollWhileStreamDown() {
  if (streamUp || pollTimer !== null) return;
  pollTimer = setTimeout(async () => {
    pollTimer = null;
    if (streamUp) return;
    await refresh();
    pollWhileStreamDown();
  }, POLL_MS);
}

function follow() {
  const source = new EventSource(`v1/events?events=${STREAMED_EVENTS.join(",")}`);
  for (const name of STREAMED_EVENTS) source.addEventListener(name, onStreamed);
  source.onopen = () => {
    streamUp = true;
    document.body.dataset.stream = "open";
    refresh();
  };
  source.onerror = () => {
    streamUp = false;
    document.body.dataset.stream = source.readyState === EventSource.CLOSED ? "closed" : "reconnecting";
    const status = document.getElementById("status");
    status.className = "status down";
    status.textContent = "event stream down · polling";
    pollWhileStreamDown();
  };
}

// ---------------------------------------------------------------- drawing

async function refresh() {
  const status = document.getElementById("status");
  try {
    if (devnet === undefined) {
      // Only devnet nodes serve /v1/devnet; ask once, so a plain node logs one 404 at most.
      const response = await fetch("v1/devnet", { cache: "no-store" });
      devnet = response.ok ? await response.json() : null;
    } else if (devnet) {
      devnet = await getJSON("v1/devnet");
    }
    const [leaves, metricsText, pending, failed] = await Promise.all([
      getJSON("v1/leaves"),
      fetch("metrics", { cache: "no-store" }).then((r) => r.text()),
      getJSON("v1/webhooks/deliveries?status=pending&limit=1000"),
      getJSON("v1/webhooks/deliveries?status=failed&limit=1000"),
    ]);
    const samples = parseMetrics(metricsText);
    const ours = drawLeaves(leaves);
    drawBacked(leaves);
    drawMisbehaviours(leaves);
    drawFigures(samples);
    drawOutbox(pending, failed, samples);
    if (devnet) drawDevnet(devnet);
    const self = devnet && devnet.nodes.find((n) => n.url.endsWith(`:${location.port}`));
    document.getElementById("identity").textContent = self
      ? `${self.name} · validator ${self.index} · ${location.host}`
      : ours ? `validator ${ours.validatorIndex} · ${location.host}` : `${location.host}`;
    const time = new Date().toLocaleTimeString("en-GB");
    if (streamUp) {
      status.className = "status live";
      status.textContent = `live · ${time}`;
    } else if (document.body.dataset.stream) {
      status.className = "status down";
      status.textContent = `event stream down · polled ${time}`;
    } else {
      status.className = "status";
      status.textContent = "connecting to the event stream…";
    }
  } catch (error) {
    status.className = "status down";
    status.textContent = `unreachable: ${error.message}`;
  }
}

refresh();
follow();
