/* SafeCampus — the district heat map of school risk grades (risk/grades/grade_list.html).
 *
 *   <div data-risk-map="ID">  + <script type="application/json" id="ID">
 *   {markers: [{lat, lng, name, level, level_label, score, color, url}],
 *    legend: [{level, label, color}], words: {score, outline}}
 *
 * Offline by design: Leaflet from static/vendor, no tile layer. Under the markers lies the
 * district's base map (app.js, DISTRICT_BASEMAP); without one, the convex hull of the
 * schools (padded) stands for the district's outline, so the map reads as a map. Markers are circles coloured by level, their radius growing with the score.
 */
(function () {
  "use strict";

  function readJson(id) {
    const node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      return null;
    }
  }

  // Andrew's monotone chain; points are [lat, lng].
  function convexHull(points) {
    const pts = points
      .map(function (p) { return [p[1], p[0]]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (pts.length < 3) return pts.map(function (p) { return [p[1], p[0]]; });
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    const lower = [];
    pts.forEach(function (p) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
      lower.push(p);
    });
    const upper = [];
    pts.slice().reverse().forEach(function (p) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
      upper.push(p);
    });
    const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
    return hull.map(function (p) { return [p[1], p[0]]; });
  }

  // Push each hull vertex away from the centre so the outline does not cut through markers.
  function padded(hull, points) {
    if (!hull.length) return hull;
    let lat = 0;
    let lng = 0;
    points.forEach(function (p) { lat += p[0]; lng += p[1]; });
    lat /= points.length;
    lng /= points.length;
    const pad = 0.006;
    return hull.map(function (p) {
      const dLat = p[0] - lat;
      const dLng = p[1] - lng;
      const len = Math.sqrt(dLat * dLat + dLng * dLng) || 1;
      return [p[0] + (dLat / len) * pad, p[1] + (dLng / len) * pad];
    });
  }

  function outline(points) {
    if (points.length >= 3) {
      const hull = convexHull(points);
      if (hull.length >= 3) return padded(hull, points);
    }
    // Fewer than three schools, or all in a line: the padded bounding box.
    let south = Infinity, north = -Infinity, west = Infinity, east = -Infinity;
    points.forEach(function (p) {
      south = Math.min(south, p[0]); north = Math.max(north, p[0]);
      west = Math.min(west, p[1]); east = Math.max(east, p[1]);
    });
    const pad = 0.006;
    return [[south - pad, west - pad], [south - pad, east + pad], [north + pad, east + pad], [north + pad, west - pad]];
  }

  function radius(score) {
    return Math.max(6, Math.min(18, 6 + (score || 0) / 6));
  }

  function tooltip(m, words) {
    const box = document.createElement("div");
    box.className = "risk-map-tip";
    const name = document.createElement("strong");
    name.textContent = m.name;
    const line = document.createElement("div");
    line.textContent = m.level_label + " · " + words.score + " " + m.score;
    box.append(name, line);
    return box;
  }

  function legend(L, data) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const box = L.DomUtil.create("div", "risk-map-legend");
      (data.legend || []).forEach(function (item) {
        const row = document.createElement("div");
        const swatch = document.createElement("span");
        swatch.className = "risk-map-swatch";
        swatch.style.backgroundColor = item.color; // CSSOM, allowed by the CSP
        const label = document.createElement("span");
        label.textContent = item.label;
        row.append(swatch, label);
        box.append(row);
      });
      return box;
    };
    return control;
  }

  function setup(el) {
    const L = window.L;
    if (!L || el._riskMap) return;
    const data = readJson(el.getAttribute("data-risk-map")) || {};
    const words = data.words || { score: "", outline: "" };
    const shell = window.SafeCampus;
    const map = L.map(el, {
      attributionControl: false,
      zoomControl: !(shell && shell.zoomControl),
      zoomSnap: 0.25,
      preferCanvas: false,
    });
    if (shell && shell.zoomControl) shell.zoomControl(map);
    el._riskMap = map;
    L.control.scale({ metric: true, imperial: false }).addTo(map);
    const markers = (data.markers || []).filter(function (m) {
      return typeof m.lat === "number" && typeof m.lng === "number";
    });
    const points = markers.map(function (m) { return [m.lat, m.lng]; });
    // The district's own base map (app.js) when there is one; else the schools' padded hull.
    const basemap = shell && shell.drawBasemap ? shell.drawBasemap(map) : Promise.resolve(null);
    basemap.then(function (drawn) {
      if (drawn || !points.length) return;
      L.polygon(outline(points), {
        className: "risk-map-outline",
        color: "#6b7f95",
        weight: 2,
        dashArray: "6 4",
        fillColor: "#ffffff",
        fillOpacity: 0.75,
        interactive: false,
      }).addTo(map).bringToBack();
    });
    // Highest levels drawn last, on top.
    const order = { blue: 0, yellow: 1, orange: 2, red: 3 };
    markers
      .slice()
      .sort(function (a, b) { return (order[a.level] || 0) - (order[b.level] || 0) || a.score - b.score; })
      .forEach(function (m) {
        const marker = L.circleMarker([m.lat, m.lng], {
          className: "risk-marker risk-marker-" + m.level,
          radius: radius(m.score),
          color: "#ffffff",
          weight: 1.5,
          fillColor: m.color,
          fillOpacity: 0.9,
        }).addTo(map);
        marker.bindTooltip(tooltip(m, words), { direction: "top", offset: [0, -6] });
        if (m.url) marker.on("click", function () { window.location.assign(m.url); });
      });
    legend(L, data).addTo(map);
    if (points.length > 1) map.fitBounds(outline(points), { padding: [16, 16] });
    else map.setView(points[0] || [31.81, 119.97], 13);
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(el);
  }

  function start() {
    document.querySelectorAll("[data-risk-map]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
