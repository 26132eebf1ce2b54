/* The live alert console (/security/console/): follows the alert stream (SSE) and, when the
 * stream cannot be reached, polls the feed every few seconds. Rows are rendered by the
 * server (#sc-alert-console[data-feed]) and kept in the server's order: unacknowledged
 * first, then by priority, then newest. While a high or critical alert waits to be
 * acknowledged a banner says how many and the console sounds every few seconds (Web Audio,
 * unless muted: kept in localStorage). No inline script: strict CSP. */
(function () {
  "use strict";

  const root = document.getElementById("sc-alert-console");
  if (!root) return;
  const POLL_MS = 3000;
  const REMIND_MS = 8000;
  const URGENT = 3; // high and critical
  const MUTE_KEY = "sc-alert-muted";
  const words = (function () {
    const block = document.getElementById("sc-alert-i18n");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (e) { return {}; }
  })();
  const school = root.getAttribute("data-school");
  const floor = parseInt(root.getAttribute("data-priority-min") || "0", 10) || 0;
  let cursor = root.getAttribute("data-cursor");
  let pendingIds = new Set();
  let inFlight = false;
  let timer = null;
  let pollTimer = null;
  let audio = null;

  /* --- status badge and mute toggle --- */
  const status = document.getElementById("sc-alert-status");
  function setStatus(live) {
    if (!status) return;
    status.textContent = live ? words.live || "Live" : words.polling || "Polling";
    status.className = "badge " + (live ? "text-bg-success" : "text-bg-warning");
    root.setAttribute("data-mode", live ? "stream" : "poll");
  }

  const muteButton = document.getElementById("sc-alert-mute");
  function muted() { return window.localStorage.getItem(MUTE_KEY) === "1"; }
  function showMute() {
    if (!muteButton) return;
    const on = muted();
    muteButton.setAttribute("aria-pressed", on ? "true" : "false");
    muteButton.querySelector("i").className = on ? "bi bi-volume-mute" : "bi bi-volume-up";
    muteButton.querySelector("span").textContent = on ? words.unmute || "Sound on" : words.mute || "Mute";
  }
  if (muteButton) {
    muteButton.addEventListener("click", function () {
      window.localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
      showMute();
      unlockAudio();
    });
  }
  showMute();

  /* --- sound: a short beep (high), three (critical) --- */
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(function () {});
    return audio;
  }
  document.addEventListener("click", unlockAudio, { once: true });

  function beep(priority) {
    if (muted() || priority < 3) return;
    const ctx = unlockAudio();
    if (!ctx) return;
    const times = priority >= 4 ? 3 : 1;
    for (let i = 0; i < times; i++) {
      const start = ctx.currentTime + i * 0.3;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = priority >= 4 ? 1040 : 780;
      gain.gain.setValueAtTime(0.12, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.24);
    }
  }

  /* --- rows --- */
  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  /* The server's order: waiting (unacknowledged) first, then priority, newest, id. */
  function rank(node) {
    return [
      node.getAttribute("data-status") === "open" ? 1 : 0,
      parseInt(node.getAttribute("data-priority"), 10) || 0,
      parseInt(node.getAttribute("data-seen"), 10) || 0,
      parseInt(node.getAttribute("data-id"), 10) || 0,
    ];
  }

  function before(a, b) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) return a[i] > b[i];
    }
    return false;
  }

  function place(node) {
    const key = rank(node);
    const rows = root.querySelectorAll(".sc-alert");
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] !== node && before(key, rank(rows[i]))) {
        if (rows[i].previousElementSibling !== node) root.insertBefore(node, rows[i]);
        return;
      }
    }
    if (root.lastElementChild !== node) root.append(node);
  }

  function waitingUrgent() {
    return Array.prototype.filter.call(root.querySelectorAll(".sc-alert"), function (node) {
      return node.getAttribute("data-status") === "open" &&
        (parseInt(node.getAttribute("data-priority"), 10) || 0) >= URGENT;
    });
  }

  const banner = document.getElementById("sc-alert-banner");
  function refreshBanner() {
    if (!banner) return;
    const n = waitingUrgent().length;
    banner.hidden = n === 0;
    const text = banner.querySelector("[data-waiting]");
    if (text && words.waiting) {
      text.textContent = words.waiting.replace("%(n)s", String(n));
      text.setAttribute("data-waiting", String(n));
    }
  }

  /* Until every high or critical alert is acknowledged, remind every few seconds. */
  window.setInterval(function () {
    const waiting = waitingUrgent();
    if (!waiting.length) return;
    beep(Math.max.apply(null, waiting.map(function (n) { return parseInt(n.getAttribute("data-priority"), 10) || 0; })));
  }, REMIND_MS);

  function applyRow(row) {
    if (school && String(row.school) !== school) return false;
    const existing = document.getElementById("alert-" + row.id);
    if (existing && existing.getAttribute("data-version") === row.version) return false;
    if (!row.live || row.priority < floor) {
      if (existing) { existing.remove(); return true; }
      return false;
    }
    const node = fragment(row.html);
    if (existing) {
      existing.replaceWith(node);
    } else {
      node.classList.add("sc-alert-new");
      if (row.sound) beep(row.priority);
    }
    place(node);
    if (window.htmx) window.htmx.process(node);
    return true;
  }

  /* A move made on the page (acknowledge, dispose) swaps its row in place (htmx may tell
   * document.body rather than the detached old row): put every row back in order. */
  function resort() {
    const live = Array.prototype.slice.call(root.querySelectorAll(".sc-alert"));
    const sorted = live.slice().sort(function (a, b) {
      return before(rank(a), rank(b)) ? -1 : before(rank(b), rank(a)) ? 1 : 0;
    });
    if (sorted.some(function (node, i) { return node !== live[i]; })) {
      sorted.forEach(function (node) { root.append(node); });
    }
    refreshBanner();
    refreshEmpty();
  }
  document.addEventListener("htmx:afterSettle", resort);

  function refreshEmpty() {
    const empty = root.querySelector(".sc-alert-empty");
    if (empty) empty.hidden = Boolean(root.querySelector(".sc-alert"));
  }

  function refreshMap() {
    const target = document.getElementById("sc-alert-map");
    const url = root.getAttribute("data-map-feed");
    if (!target || !url || !window.htmx) return;
    // The shell's ResizeObserver outlives a removed map and would resize it: make that a no-op.
    const old = target.querySelector("[data-map]");
    if (old && old._scMap) old._scMap.invalidateSize = function () { return this; };
    window.htmx.ajax("GET", url + (school ? "?school=" + school : ""), { target: target, swap: "innerHTML" });
  }

  function fetchFeed() {
    if (inFlight) return;
    inFlight = true;
    const params = new URLSearchParams();
    if (pendingIds.size) params.set("ids", Array.from(pendingIds).join(","));
    else if (cursor) params.set("since", cursor);
    if (school) params.set("school", school);
    pendingIds = new Set();
    fetch(root.getAttribute("data-feed") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (!params.has("ids")) cursor = data.cursor;
        let changed = false;
        (data.rows || []).forEach(function (row) { changed = applyRow(row) || changed; });
        refreshEmpty();
        refreshBanner();
        if (changed) refreshMap();
      })
      .catch(function () {})
      .finally(function () {
        inFlight = false;
        if (pendingIds.size) schedule();
      });
  }

  function schedule() {
    if (timer) return;
    // A burst of events (a storm at 1,000 events/s) becomes one fetch per 150 ms.
    timer = window.setTimeout(function () { timer = null; fetchFeed(); }, 150);
  }

  /* --- the stream, or polling when it cannot be reached --- */
  function startPolling() {
    if (pollTimer) return;
    setStatus(false);
    fetchFeed();
    pollTimer = window.setInterval(fetchFeed, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer) window.clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    const url = root.getAttribute("data-stream");
    if (!url || !window.EventSource) { startPolling(); return; }
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener("open", function () {
      stopPolling();
      setStatus(true);
      fetchFeed(); // whatever changed while the stream was down
    });
    source.addEventListener("alert", function (evt) {
      let data;
      try { data = JSON.parse(evt.data); } catch (e) { return; }
      if (school && String(data.school) !== school) return;
      pendingIds.add(data.id);
      schedule();
    });
    source.addEventListener("error", function () {
      // Refused (401/403/404) closes the source for good; a dropped one retries by itself.
      startPolling();
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  connect();
})();
