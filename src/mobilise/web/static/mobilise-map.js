// Shared helpers of the mobilise pages: Leaflet maps (vendored), colours, numbers, escaping.
"use strict";
window.Mobilise = Object.assign(window.Mobilise || {}, (function () {
  // Deciles 1 (worst 10% in England) .. 10 (best): ColorBrewer RdBu, colour-blind safe.
  const DECILE_COLOURS = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7",
                          "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"];
  const SEQUENTIAL = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];

  // The base map's tiles, from the page's <script type="application/json" id="mobilise-tiles">
  // (data, not code: the Content-Security-Policy runs no inline script).
  function baseTiles() {
    const data = document.getElementById("mobilise-tiles");
    return data ? JSON.parse(data.textContent) : {};
  }

  function baseMap(element, options) {
    const map = L.map(element, Object.assign({zoomSnap: 0.25, maxZoom: 19, attributionControl: true}, options || {}));
    const tiles = baseTiles();
    if (tiles.url) {
      L.tileLayer(tiles.url, {maxZoom: 19, attribution: tiles.attribution || ""}).addTo(map);
    }
    map.attributionControl.addAttribution("Boundaries: ONS, OGL v3; contains OS data © Crown copyright");
    return map;
  }

  function formatNumber(value, unit) {
    if (value === null || value === undefined) return "no value";
    if (unit === "rank" || unit === "decile" || Number.isInteger(value)) return Math.round(value).toLocaleString("en-GB");
    const m = Math.abs(value);
    const digits = m >= 100 ? 0 : m >= 10 ? 1 : m >= 1 ? 2 : 3;
    return value.toLocaleString("en-GB", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  function decileWords(d, polarity) {
    if (!d) return "no national comparison";
    if (polarity !== "higher_is_better" && polarity !== "higher_is_worse") {
      if (d === 1) return "among the lowest 10% in England";
      if (d === 10) return "among the highest 10% in England";
      return "decile " + d + " of 10 in England, counting from the lowest";
    }
    if (d === 1) return "among the worst 10% in England";
    if (d === 10) return "among the best 10% in England";
    if (d <= 3) return "worse than most of England (decile " + d + ")";
    if (d >= 8) return "better than most of England (decile " + d + ")";
    return "around the middle for England (decile " + d + ")";
  }

  function escapeHtml(text) {
    return String(text ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  return {DECILE_COLOURS, SEQUENTIAL, baseMap, formatNumber, decileWords, escapeHtml};
})());

// Cytoscape.js adds a <style> element for its container (".__________cytoscape_container
// { position: relative; }") unless the page already has an element with the id it checks. The
// Content-Security-Policy allows no <style> element, so give it that rule as a static
// stylesheet under that id before any graph is drawn.
(function () {
  if (!window.cytoscape || document.getElementById("__________cytoscape_stylesheet")) return;
  const sheet = document.createElement("link");
  sheet.id = "__________cytoscape_stylesheet";
  sheet.rel = "stylesheet";
  sheet.href = "/static/cytoscape-container.css";
  document.head.prepend(sheet);
})();
