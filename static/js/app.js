/* SafeCampus 平安校园 — every behaviour of the shell. CSP forbids inline scripts and
 * inline styles, so templates only carry data attributes and JSON blocks:
 *
 *   <form data-language-switch> … <select data-autosubmit>   submit on change
 *   data-confirm="Question?"         on a form, link, button or htmx element: ask first
 *   .alert[data-autodismiss="6000"]  close after n milliseconds
 *   <div data-chart="ID">            ECharts; options from <script type="application/json" id="ID">
 *   <div data-map="ID">              Leaflet; {center, zoom, label_zoom, markers:[{lat, lng,
 *                                    label, level, url, detail, kind, highlight}],
 *                                    focus:{key, points, zoom}, whole:"button text"}
 *                                    data-pick-lat/-lng="inputId": a click sets the point
 *                                    from the JSON block ID; tiles only with data-tiles="URL";
 *                                    the offline base map (outline, roads) from sc-asset-basemap
 *   <body data-stream-url="URL">     live events (SSE): `notification` updates #bell-count
 *
 * ECharts and Leaflet are loaded on demand from the <meta name="sc-asset-…"> URLs in
 * base.html, only on pages that have a data-chart or data-map element.
 * Everything is set up on page load and again on content swapped in by htmx.
 */
(function () {
  "use strict";

  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function readJson(id) {
    const node = id && document.getElementById(id);
    if (!node) {
      console.warn("SafeCampus: no JSON block #" + id);
      return null;
    }
    try {
      let value = JSON.parse(node.textContent);
      // json_script applied to an already-serialised string encodes it twice.
      if (typeof value === "string") value = JSON.parse(value);
      return value;
    } catch (err) {
      console.warn("SafeCampus: JSON block #" + id + " is not valid JSON", err);
      return null;
    }
  }

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  // JSON cannot name a CSS variable's value; "var(--sc-level-1)" strings are resolved here.
  function resolveCssVars(value) {
    if (typeof value === "string") {
      const m = /^var\((--[\w-]+)\)$/.exec(value.trim());
      return m ? cssVar(m[1]) || value : value;
    }
    if (Array.isArray(value)) return value.map(resolveCssVars);
    if (value && typeof value === "object") {
      const out = {};
      for (const key of Object.keys(value)) out[key] = resolveCssVars(value[key]);
      return out;
    }
    return value;
  }

  // Heavy libraries (ECharts ~1 MB, Leaflet) load only on pages that use them.
  const loading = {};
  function asset(name) {
    const meta = document.querySelector('meta[name="sc-asset-' + name + '"]');
    return meta ? meta.getAttribute("content") : null;
  }
  function loadScript(name, globalName) {
    if (window[globalName]) return Promise.resolve(window[globalName]);
    const url = asset(name);
    if (!url) return Promise.reject(new Error("SafeCampus: no asset " + name));
    loading[name] =
      loading[name] ||
      new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = url;
        script.onload = function () { resolve(window[globalName]); };
        script.onerror = function () { reject(new Error("SafeCampus: could not load " + url)); };
        document.head.append(script);
      });
    return loading[name];
  }
  function loadStylesheet(name) {
    const url = asset(name);
    if (!url || document.querySelector('link[href="' + url + '"]')) return Promise.resolve();
    loading[name] =
      loading[name] ||
      new Promise(function (resolve) {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = url;
        link.onload = link.onerror = function () { resolve(); };
        document.head.append(link);
      });
    return loading[name];
  }

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // Run `setup(root)` now and on every fragment htmx swaps in.
  function each(setup) {
    onReady(function () {
      setup(document);
    });
    document.addEventListener("htmx:load", function (evt) {
      if (evt.target !== document.body) setup(evt.target);
    });
  }

  function within(root, selector) {
    const found = Array.from(root.querySelectorAll ? root.querySelectorAll(selector) : []);
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  /* --- A table wider than the screen scrolls sideways; with no link or button inside
   * (an empty table on a phone) keyboard users could not scroll it: make the scroll box
   * itself focusable and name it after the table's caption (WCAG 2.1.1). --- */
  each(function (root) {
    within(root, ".table-responsive").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      const focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (!scrolls || focusable || box.hasAttribute("tabindex")) return;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      const caption = box.querySelector("caption");
      if (caption) box.setAttribute("aria-label", caption.textContent.trim());
    });
  });

  /* --- htmx: CSRF header on every request --- */
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrfToken();
  });

  /* --- Language switch and other auto-submitting controls --- */
  document.addEventListener("change", function (evt) {
    const control = evt.target.closest("[data-autosubmit]");
    if (!control || !control.form) return;
    control.form.requestSubmit();
  });

  /* --- Translated words for script-made controls: the server's catalogue, in a JSON block --- */
  let words = null;
  function t(key) {
    if (words === null) {
      const block = document.getElementById("sc-i18n");
      try {
        words = block ? JSON.parse(block.textContent) : {};
      } catch (error) {
        words = {};
      }
    }
    return words[key] || key;
  }

  /* --- Confirm dialogs (a Bootstrap modal; window.confirm if Bootstrap is missing) --- */
  let confirmModal = null;

  function buildConfirmModal() {
    const modal = document.createElement("div");
    modal.className = "modal fade";
    modal.id = "sc-confirm";
    modal.tabIndex = -1;
    modal.setAttribute("aria-hidden", "true");
    modal.setAttribute("aria-labelledby", "sc-confirm-text");
    const dialog = document.createElement("div");
    dialog.className = "modal-dialog modal-dialog-centered";
    const content = document.createElement("div");
    content.className = "modal-content";
    const body = document.createElement("div");
    body.className = "modal-body d-flex gap-3 align-items-start pt-4 px-4";
    const icon = document.createElement("i");
    icon.className = "bi bi-question-circle fs-3 text-primary";
    icon.setAttribute("aria-hidden", "true");
    const text = document.createElement("p");
    text.className = "mb-0 pt-1";
    text.id = "sc-confirm-text";
    body.append(icon, text);
    const footer = document.createElement("div");
    footer.className = "modal-footer border-0 px-4 pb-4";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-outline-secondary";
    cancel.setAttribute("data-bs-dismiss", "modal");
    cancel.textContent = t("cancel");
    const ok = document.createElement("button");
    ok.type = "button";
    ok.className = "btn btn-primary";
    ok.textContent = t("ok");
    footer.append(cancel, ok);
    content.append(body, footer);
    dialog.append(content);
    modal.append(dialog);
    document.body.append(modal);
    return { element: modal, text: text, ok: ok, instance: new window.bootstrap.Modal(modal) };
  }

  function askConfirm(question, labels) {
    if (!window.bootstrap) return Promise.resolve(window.confirm(question));
    confirmModal = confirmModal || buildConfirmModal();
    const m = confirmModal;
    m.text.textContent = question;
    if (labels && labels.ok) m.ok.textContent = labels.ok;
    m.ok.className = "btn " + (labels && labels.danger ? "btn-danger" : "btn-primary");
    return new Promise(function (resolve) {
      let answered = false;
      let shown = false;
      // Bootstrap ignores hide() while the dialog is still fading in: a "yes" given then is
      // remembered and carried out once the dialog is shown, never lost.
      function yes() {
        answered = true;
        if (shown) m.instance.hide();
      }
      m.ok.addEventListener("click", yes);
      m.element.addEventListener(
        "hidden.bs.modal",
        function () {
          m.ok.removeEventListener("click", yes);
          resolve(answered);
        },
        { once: true }
      );
      m.element.addEventListener(
        "shown.bs.modal",
        function () {
          shown = true;
          if (answered) m.instance.hide();
          else m.ok.focus();
        },
        { once: true }
      );
      m.instance.show();
    });
  }

  function confirmLabels(el) {
    return { ok: el.getAttribute("data-confirm-ok"), danger: el.hasAttribute("data-confirm-danger") };
  }

  document.addEventListener("submit", function (evt) {
    const form = evt.target;
    const submitter = evt.submitter || null;
    const asker = (submitter && submitter.closest("[data-confirm]")) || form.closest("[data-confirm]");
    if (!asker || form.dataset.confirmed === "1" || asker.hasAttribute("hx-post")) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-put") || form.hasAttribute("hx-delete")) return;
    evt.preventDefault();
    askConfirm(asker.getAttribute("data-confirm"), confirmLabels(asker)).then(function (yes) {
      if (!yes) return;
      form.dataset.confirmed = "1";
      form.requestSubmit(submitter);
      delete form.dataset.confirmed;
    });
  });

  document.addEventListener("click", function (evt) {
    const link = evt.target.closest("a[data-confirm]");
    if (!link || link.hasAttribute("hx-get") || evt.defaultPrevented) return;
    evt.preventDefault();
    askConfirm(link.getAttribute("data-confirm"), confirmLabels(link)).then(function (yes) {
      if (yes) window.location.assign(link.href);
    });
  });

  // htmx elements: the request waits for the answer.
  document.addEventListener("htmx:confirm", function (evt) {
    const el = evt.detail.elt.closest("[data-confirm]");
    if (!el) return;
    evt.preventDefault();
    askConfirm(el.getAttribute("data-confirm"), confirmLabels(el)).then(function (yes) {
      if (yes) evt.detail.issueRequest(true);
    });
  });

  /* --- Alerts that close themselves --- */
  each(function (root) {
    within(root, ".alert[data-autodismiss]").forEach(function (alert) {
      const ms = parseInt(alert.getAttribute("data-autodismiss"), 10) || 6000;
      window.setTimeout(function () {
        if (!alert.isConnected) return;
        if (window.bootstrap) window.bootstrap.Alert.getOrCreateInstance(alert).close();
        else alert.remove();
      }, ms);
    });
  });

  /* --- Charts: <div data-chart="ID" class="sc-chart"> + JSON block ID --- */
  const PALETTE = ["#1b4f8f", "#3a86c8", "#2e9e8f", "#f2b705", "#ef6c00", "#d32f2f", "#7b61b8", "#6b7f95"];

  function setupCharts(root) {
    const targets = within(root, "[data-chart]");
    if (!targets.length) return;
    if (!window.echarts) {
      loadScript("echarts", "echarts").then(function () { setupCharts(root); }, console.error);
      return;
    }
    targets.forEach(function (el) {
      if (window.echarts.getInstanceByDom(el)) return;
      const option = readJson(el.getAttribute("data-chart"));
      if (!option || typeof option !== "object") return;
      if (el.dataset.chartHeight) el.style.height = parseInt(el.dataset.chartHeight, 10) + "px";
      const chart = window.echarts.init(el, null, { renderer: "canvas", locale: chartLocale() });
      const resolved = resolveCssVars(option);
      if (!resolved.color) resolved.color = PALETTE;
      if (!resolved.textStyle) resolved.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
      // ECharts' HTML tooltips carry style="" attributes, which CSP blocks: draw them on the canvas.
      if (resolved.tooltip && !resolved.tooltip.renderMode) resolved.tooltip.renderMode = "richText";
      chart.setOption(resolved);
      if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
    });
  }

  function chartLocale() {
    return (document.documentElement.lang || "").toLowerCase().startsWith("zh") ? "ZH" : "EN";
  }

  each(setupCharts);
  document.addEventListener("htmx:beforeCleanupElement", function (evt) {
    if (!window.echarts) return;
    within(evt.target, "[data-chart]").forEach(function (el) {
      const chart = window.echarts.getInstanceByDom(el);
      if (chart) chart.dispose();
    });
  });

  /* --- The offline base map (<meta name="sc-asset-basemap">, settings.DISTRICT_BASEMAP):
   * the district outline, rivers, main roads and place names as GeoJSON, drawn under the
   * markers of every map in a pane of its own, since intranets have no tile server. Fetched
   * once a page; road names appear from ROAD_LABEL_ZOOM on, in the page's language. --- */
  const ROAD_LABEL_ZOOM = 12;
  let basemapRequest = null;
  function loadBasemap() {
    const url = asset("basemap");
    if (!url) return Promise.resolve(null);
    basemapRequest =
      basemapRequest ||
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; });
    return basemapRequest;
  }

  function featureName(props) {
    const english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
    return String((english && props.name_en) || props.name || "");
  }

  function textNode(className, text) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  function basemapLayer(feature, pane) {
    const L = window.L;
    const props = feature.properties || {};
    const kind = props.kind || "road";
    const name = featureName(props);
    const layer = L.geoJSON(feature, {
      pane: pane,
      interactive: false,
      style: function () { return { className: "sc-base-" + kind, pane: pane }; },
      pointToLayer: function (point, latlng) {
        return L.marker(latlng, {
          pane: pane + "Names",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "sc-base-place", html: textNode("", name), iconSize: null }),
        });
      },
    });
    if (name && (kind === "road" || kind === "river")) {
      layer.bindTooltip(textNode("", name), {
        permanent: true,
        direction: "center",
        className: "sc-base-label sc-base-label-" + kind,
        interactive: false,
      });
    }
    return layer;
  }

  function drawBasemap(map) {
    return loadBasemap().then(function (geojson) {
      // Leaflet drops the container's _leaflet_id when the map is removed (an htmx swap).
      if (!geojson || !Array.isArray(geojson.features) || !map.getContainer()._leaflet_id) {
        return null;
      }
      // Under the markers (overlay pane, 400); place names above the outline's fill.
      if (!map.getPane("scBase")) map.createPane("scBase").style.zIndex = "350";
      if (!map.getPane("scBaseNames")) map.createPane("scBaseNames").style.zIndex = "360";
      const group = window.L.layerGroup();
      // Polygons first, so lines and names lie on the outline's fill.
      const order = { district: 0, river: 1, road: 2, place: 3 };
      const rank = function (f) {
        const kind = (f.properties || {}).kind;
        return Object.prototype.hasOwnProperty.call(order, kind) ? order[kind] : 2;
      };
      geojson.features
        .filter(function (f) { return f && f.geometry; })
        .sort(function (a, b) { return rank(a) - rank(b); })
        .forEach(function (f) {
          const layer = basemapLayer(f, "scBase").addTo(group);
          if ((f.properties || {}).kind === "district") map._scDistrict = layer.getBounds();
        });
      group.addTo(map);
      const el = map.getContainer();
      const zoomed = function () {
        el.classList.toggle("sc-map-roads-named", map.getZoom() >= ROAD_LABEL_ZOOM);
      };
      map.on("zoomend", zoomed);
      zoomed();
      el.setAttribute("data-basemap", "drawn");
      return group;
    });
  }

  /* Labels of markers: a tooltip on hover or tap, and from `label_zoom` on (the map's JSON)
   * shown permanently, small, so a reporter on a phone reads the school names near her. */
  function bindLabel(marker, m, permanent) {
    marker.unbindTooltip();
    marker.bindTooltip(textNode("sc-map-label", m.label), {
      direction: "top",
      offset: [0, -6],
      permanent: permanent,
      className: permanent ? "sc-map-label-near" : "",
    });
  }

  function labelsByZoom(map, labelled, labelZoom) {
    let near = null;
    function update() {
      const now = Boolean(labelZoom) && map.getZoom() >= labelZoom;
      if (now === near) return;
      near = now;
      labelled.forEach(function (pair) { bindLabel(pair[0], pair[1], now); });
    }
    map.on("zoomend", update);
    update();
  }

  function markerPopup(m) {
    const popup = document.createElement("div");
    popup.className = "sc-map-popup";
    popup.append(textNode("fw-semibold d-block", m.label || ""));
    if (m.detail) popup.append(textNode("d-block", m.detail));
    if (m.url) {
      const link = document.createElement("a");
      link.href = m.url;
      link.textContent = m.link_text || t("open");
      popup.append(link);
    }
    return popup;
  }

  function addMarker(map, m) {
    const colour = cssVar("--sc-level-" + (m.level || 4)) || cssVar("--sc-primary");
    const marker = window.L.circleMarker([m.lat, m.lng], {
      radius: m.radius || 8,
      color: "#ffffff",
      weight: 2,
      fillColor: colour,
      fillOpacity: 0.95,
      className: m.kind ? "sc-map-marker-" + m.kind + (m.highlight ? " sc-map-marker-alerting" : "") : "",
    }).addTo(map);
    if (m.url || m.detail) marker.bindPopup(markerPopup(m));
    return marker;
  }

  /* A map may name a place to look at first (`focus`: {key, points, zoom}, the alerting
   * school on the alarm console) and a button back to the whole district. The key the user
   * zoomed away from stays dismissed while the map is re-rendered; a new key focuses again. */
  const dismissedFocus = {};
  function wholeControl(map, id, text, home) {
    const control = window.L.control({ position: "topright" });
    control.onAdd = function () {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-light btn-sm border sc-map-whole";
      button.textContent = text;
      window.L.DomEvent.disableClickPropagation(button);
      button.addEventListener("click", function () {
        dismissedFocus[id] = (map._scFocus || {}).key || true;
        // The district's outline when the base map has one, else the map's own first view.
        if (map._scDistrict) map.fitBounds(map._scDistrict, { padding: [8, 8] });
        else home();
      });
      return button;
    };
    return control.addTo(map);
  }

  /* --- Maps: <div data-map="ID" class="sc-map" [data-tiles="URL"]> + JSON block ID ---
   * JSON: {"center": [lat, lng], "zoom": 13, "label_zoom": 14,
   *        "markers": [{"lat": 31.8, "lng": 119.9, "label": "…", "level": 1, "url": "/…"}]}
   * No tile server is needed: school intranets have none, so markers sit on the district's
   * offline base map (above) with a scale. */
  function setupMaps(root) {
    const targets = within(root, "[data-map]");
    if (!targets.length) return;
    if (!window.L) {
      Promise.all([loadStylesheet("leaflet-css"), loadScript("leaflet", "L")]).then(function () {
        setupMaps(root);
      }, console.error);
      return;
    }
    targets.forEach(function (el) {
      if (el._scMap) return;
      const id = el.getAttribute("data-map");
      const data = readJson(id) || {};
      if (el.dataset.mapHeight) el.style.height = parseInt(el.dataset.mapHeight, 10) + "px";
      const tiles = el.getAttribute("data-tiles");
      const map = window.L.map(el, {
        attributionControl: Boolean(tiles),
        zoomControl: false,
        zoomSnap: 0.5,
      });
      zoomControl(map);
      el._scMap = map;
      if (tiles) {
        window.L.tileLayer(tiles, {
          maxZoom: 19,
          attribution: el.getAttribute("data-tiles-attribution") || "",
        }).addTo(map);
        map.attributionControl.setPrefix(false);
      }
      window.L.control.scale({ metric: true, imperial: false }).addTo(map);
      const points = [];
      const labelled = [];
      // The highlighted marker (the alarm's device) last: drawn on top of its neighbours.
      (data.markers || []).slice().sort(function (a, b) {
        return Number(Boolean(a.highlight)) - Number(Boolean(b.highlight));
      }).forEach(function (m) {
        if (typeof m.lat !== "number" || typeof m.lng !== "number") return;
        const marker = addMarker(map, m);
        if (m.label) labelled.push([marker, m]);
        if (!m.kind || m.kind === "school") points.push([m.lat, m.lng]);
      });
      function home() {
        if (points.length > 1 && !data.center) {
          map.fitBounds(points, { padding: [32, 32], maxZoom: data.zoom || 16 });
        } else {
          map.setView(data.center || points[0] || [31.81, 119.97], data.zoom || 13);
        }
      }
      const focus = data.focus;
      map._scFocus = focus || null;
      if (focus && focus.points && focus.points.length && dismissedFocus[id] !== focus.key) {
        map.fitBounds(focus.points, { padding: [40, 40], maxZoom: focus.zoom || 17 });
        el.setAttribute("data-map-focus", focus.key);
      } else {
        home();
      }
      if (data.whole) wholeControl(map, id, data.whole, home);
      labelsByZoom(map, labelled, data.label_zoom);
      drawBasemap(map);
      if (el.dataset.pickLat && el.dataset.pickLng) pickPoint(map, el);
      if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(el);
    });
  }

  /* Leaflet's own zoom buttons are titled in English: these speak the page's language. */
  function zoomControl(map) {
    window.L.control.zoom({ zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  }

  /* A map that sets a point: data-pick-lat / data-pick-lng name the inputs it fills,
   * data-pick-clear the button that empties them. The place field stays the way to say
   * where without a pointer. */
  function pickPoint(map, el) {
    const lat = document.getElementById(el.dataset.pickLat);
    const lng = document.getElementById(el.dataset.pickLng);
    const clear = el.dataset.pickClear ? document.getElementById(el.dataset.pickClear) : null;
    if (!lat || !lng) return;
    let marker = null;
    function place(point) {
      lat.value = point.lat.toFixed(6);
      lng.value = point.lng.toFixed(6);
      if (marker) marker.setLatLng(point);
      else marker = window.L.marker(point, { keyboard: false }).addTo(map);
      if (clear) clear.hidden = false;
    }
    if (lat.value && lng.value) {
      place(window.L.latLng(parseFloat(lat.value), parseFloat(lng.value)));
      map.setView(marker.getLatLng(), 15);
    }
    map.on("click", function (evt) { place(evt.latlng); });
    if (clear) {
      clear.hidden = !marker;
      clear.addEventListener("click", function () {
        lat.value = lng.value = "";
        if (marker) { marker.remove(); marker = null; }
        clear.hidden = true;
      });
    }
  }

  each(setupMaps);
  document.addEventListener("htmx:beforeCleanupElement", function (evt) {
    within(evt.target, "[data-map]").forEach(function (el) {
      if (el._scMap) {
        el._scMap.remove();
        el._scMap = null;
      }
    });
  });

  /* --- Toasts and the notification bell --- */
  function toast(title, body) {
    const container = document.getElementById("sc-toasts");
    if (!container) return;
    const el = document.createElement("div");
    el.className = "toast sc-toast";
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    el.setAttribute("aria-atomic", "true");
    const header = document.createElement("div");
    header.className = "toast-header";
    const icon = document.createElement("i");
    icon.className = "bi bi-bell-fill me-2";
    icon.setAttribute("aria-hidden", "true");
    const strong = document.createElement("strong");
    strong.className = "me-auto";
    strong.textContent = title;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", t("close"));
    header.append(icon, strong, close);
    el.append(header);
    if (body) {
      const text = document.createElement("div");
      text.className = "toast-body";
      text.textContent = body;
      el.append(text);
    }
    container.append(el);
    el.addEventListener("hidden.bs.toast", function () { el.remove(); });
    if (window.bootstrap) window.bootstrap.Toast.getOrCreateInstance(el, { delay: 8000 }).show();
  }

  // The bell fragment (GET /notifications/bell/) may replace the placeholder: its badge is
  // #bell-count, or else the .badge inside the element carrying data-unread.
  function bellBadge() {
    const byId = document.getElementById("bell-count");
    if (byId) return byId;
    const bell = document.querySelector(".sc-bell [data-unread]");
    if (!bell) return null;
    let badge = bell.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge rounded-pill sc-bell-count";
      bell.append(badge);
    }
    badge.id = "bell-count";
    return badge;
  }

  function setBellCount(unread) {
    const n = Math.max(0, parseInt(unread, 10) || 0);
    const badge = bellBadge();
    if (!badge) return;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    const bell = badge.closest("[data-unread]");
    if (bell) bell.setAttribute("data-unread", String(n));
  }

  /* --- Live stream: <body data-stream-url="…"> (Server-Sent Events) --- */
  function connectStream(url) {
    if (!url || !window.EventSource) return null;
    const source = new EventSource(url, { withCredentials: true });
    source.addEventListener("notification", function (evt) {
      let data;
      try {
        data = JSON.parse(evt.data);
      } catch (err) {
        return;
      }
      if (typeof data.unread !== "undefined") setBellCount(data.unread);
      if (data.title) toast(data.title, data.body || "");
      document.dispatchEvent(new CustomEvent("safecampus:notification", { detail: data }));
      // Lists and the bell listening with hx-trigger="notifications-changed from:body" refresh.
      if (window.htmx) window.htmx.trigger(document.body, "notifications-changed");
    });
    window.addEventListener("pagehide", function () { source.close(); });
    return source;
  }

  onReady(function () {
    connectStream(document.body.getAttribute("data-stream-url"));
  });

  /* --- Copy a text ([data-copy]="#id") and save it as a text file built in the page
     ([data-download-text]="#id"): the public receipt never goes back to the server --- */
  document.addEventListener("click", function (evt) {
    const copy = evt.target.closest("[data-copy]");
    if (copy) {
      const source = document.querySelector(copy.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        const done = copy.getAttribute("data-copied");
        if (done) copy.textContent = done;
      });
      return;
    }
    const download = evt.target.closest("[data-download-text]");
    if (!download) return;
    evt.preventDefault();
    const node = document.querySelector(download.getAttribute("data-download-text"));
    if (!node) return;
    const text = (download.getAttribute("data-prefix") || "") + node.textContent.trim() + "\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = download.getAttribute("data-filename") || "receipt.txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });

  window.SafeCampus = {
    confirm: askConfirm,
    toast: toast,
    setBellCount: setBellCount,
    readJson: readJson,
    connectStream: connectStream,
    drawBasemap: drawBasemap,
    zoomControl: zoomControl,
  };
})();
