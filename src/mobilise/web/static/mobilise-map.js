// Shared helpers of the mobilise pages: Leaflet maps (vendored), colours, numbers, escaping.
"use strict";
window.Mobilise = Object.assign(window.Mobilise || {}, (function () {
  // Deciles 1 (worst 10% in England) .. 10 (best): ColorBrewer RdBu, colour-blind safe.
  const DECILE_COLOURS = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7",
                          "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"];
  const SEQUENTIAL = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];

  const OFFLINE_NOTE = "Street map unavailable — showing neighbourhood outlines";
  const BOUNDARIES = "Boundaries: ONS, OGL v3; contains OS data © Crown copyright";
  const LOCALITIES = "Locality names: House of Commons Library, OGL v3";
  const OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright";
  // Zooms at which the offline layer shows what (outlines from 7; streets from 13).
  const ZOOM = {outlines: 7, streets: 13, localities: 12, areaNames: 16, mainStreetNames: 15, streetNames: 16};
  const MAX_LABELS = 150;

  function escapeHtml(text) {
    return String(text ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  // The base map's tiles, from the page's <script type="application/json" id="mobilise-tiles">
  // (data, not code: the Content-Security-Policy runs no inline script); null on a page
  // without it, which then asks /api/v1/basemap.
  function pageTiles() {
    const data = document.getElementById("mobilise-tiles");
    return data ? JSON.parse(data.textContent) : null;
  }

  // What the server offers for the base map (tiles, outlines, shipped street files): fetched
  // once per page and kept by the browser's cache, so a page seen once works offline.
  let basemapAnswer = null;
  function basemapInfo() {
    if (!basemapAnswer) {
      basemapAnswer = fetch("/api/v1/basemap")
        .then(r => (r.ok ? r.json() : {}))
        .catch(() => ({}));
    }
    return basemapAnswer;
  }

  // The map's own stylesheet (labels, the offline note), linked once: the policy allows no
  // <style> element, and the pages with maps need not each link it.
  function linkStylesheet() {
    if (document.getElementById("mobilise-map-css")) return;
    const sheet = document.createElement("link");
    sheet.id = "mobilise-map-css";
    sheet.rel = "stylesheet";
    sheet.href = "/static/mobilise-map.css";
    document.head.append(sheet);
  }

  function bboxText(bounds) {
    const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v)).toFixed(5);
    return [clamp(bounds.getWest(), 180), clamp(bounds.getSouth(), 90),
            clamp(bounds.getEast(), 180), clamp(bounds.getNorth(), 90)].join(",");
  }

  function osmAttribution(text) {
    return escapeHtml(text).replace("OpenStreetMap contributors",
      `<a href="${OSM_COPYRIGHT}">OpenStreetMap</a> contributors`);
  }

  // The labels of the offline layer at the map's zoom: authorities far out, localities in
  // between, neighbourhood names close in; main streets, then every named street.
  function labelsAt(map, outlines, streets) {
    const zoom = map.getZoom();
    const view = map.getBounds();
    const found = [];
    if (zoom >= ZOOM.areaNames) {
      outlines.forEach(p => found.push(["area", p.name, p.label]));
    } else {
      const key = zoom >= ZOOM.localities ? "locality" : "authority";
      const groups = new Map();
      outlines.forEach(p => {
        if (!p[key]) return;
        const group = groups.get(p[key]) || {x: 0, y: 0, n: 0};
        group.x += p.label[0]; group.y += p.label[1]; group.n += 1;
        groups.set(p[key], group);
      });
      groups.forEach((g, name) => found.push([key, name, [g.x / g.n, g.y / g.n]]));
    }
    if (zoom >= ZOOM.mainStreetNames) {
      streets.forEach(p => {
        if (p.kind === "main" || zoom >= ZOOM.streetNames) found.push(["street", p.name, p.label]);
      });
    }
    return found.filter(([, name, at]) => name && at && view.contains([at[1], at[0]])).slice(0, MAX_LABELS);
  }

  // The offline layer of one map: what it draws when street tiles cannot load.
  function offlineLayer(map) {
    const element = map.getContainer();
    let shown = false;
    let outlines = null, outlinesBounds = null, outlinesRequest = null;
    const outlineNames = [];
    const streetFiles = {};  // id -> {layer, names} once fetched
    const labels = L.layerGroup();

    function note() {
      const control = L.control({position: "topright"});
      control.onAdd = () => {
        const box = L.DomUtil.create("div", "map-offline-note");
        box.setAttribute("role", "status");
        box.textContent = OFFLINE_NOTE;
        return box;
      };
      control.addTo(map);
    }

    function drawLabels() {
      const streetNames = Object.values(streetFiles).filter(f => f.layer && map.hasLayer(f.layer)).flatMap(f => f.names);
      labels.clearLayers();
      labelsAt(map, outlineNames, streetNames).forEach(([kind, name, at]) => {
        const icon = L.divIcon({className: `map-label map-label-${kind}`, html: `<span>${escapeHtml(name)}</span>`, iconSize: null});
        L.marker([at[1], at[0]], {icon, interactive: false, keyboard: false, pane: "mobiliseLabels"}).addTo(labels);
      });
      element.dataset.labels = String(labels.getLayers().length);
    }

    function refreshOutlines() {
      if (map.getZoom() < ZOOM.outlines || (outlinesBounds && outlinesBounds.contains(map.getBounds()))) return;
      const wanted = map.getBounds().pad(0.5);
      if (outlinesRequest) outlinesRequest.abort();
      outlinesRequest = new AbortController();
      fetch("/api/v1/basemap/areas.geojson?bbox=" + bboxText(wanted), {signal: outlinesRequest.signal})
        .then(r => (r.ok ? r.json() : null))
        .then(collection => {
          if (!collection) return;
          if (outlines) outlines.remove();
          outlines = L.geoJSON(collection, {
            pane: "mobiliseOutlines", interactive: false, attribution: LOCALITIES,
            style: {color: "#6b7280", weight: 1.2, fillColor: "#f7f4ee", fillOpacity: 1},
          }).addTo(map);
          outlinesBounds = wanted;
          outlineNames.length = 0;
          collection.features.forEach(f => outlineNames.push(f.properties));
          element.dataset.outlines = String(collection.features.length);
          drawLabels();
        })
        .catch(() => {});  // a newer view asked instead, or the server is out of reach too
    }

    function refreshStreets(files) {
      const view = map.getBounds();
      const close = map.getZoom() >= ZOOM.streets;
      files.forEach(file => {
        const covers = view.intersects([[file.bbox[1], file.bbox[0]], [file.bbox[3], file.bbox[2]]]);
        const known = streetFiles[file.id];
        if (known && known.layer) {
          if (close && covers) known.layer.addTo(map); else known.layer.remove();
        } else if (close && covers && !known) {
          streetFiles[file.id] = {layer: null, names: []};
          fetch(file.url)
            .then(r => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
            .then(collection => {
              const entry = streetFiles[file.id];
              entry.names = collection.features.filter(f => f.properties.name).map(f => f.properties);
              entry.layer = L.geoJSON(collection, {
                pane: "mobiliseStreets", interactive: false, attribution: osmAttribution(file.attribution),
                renderer: L.canvas({pane: "mobiliseStreets"}),
                style: f => (f.properties.kind === "main" ? {color: "#e8b04a", weight: 4} : {color: "#ffffff", weight: 2.2}),
              });
              refreshStreets(files);
              element.dataset.streets = String(collection.features.length);
              drawLabels();
            })
            .catch(() => { delete streetFiles[file.id]; });
        }
      });
    }

    function refresh() {
      refreshOutlines();
      basemapInfo().then(info => refreshStreets((info && info.streets) || []));
      drawLabels();
    }

    return {
      show() {
        if (shown) return;
        shown = true;
        element.classList.add("map-offline");
        element.dataset.basemap = "offline";
        [["mobiliseOutlines", 250], ["mobiliseStreets", 260], ["mobiliseLabels", 450]].forEach(([name, z]) => {
          const pane = map.createPane(name);
          pane.style.zIndex = String(z);
          pane.style.pointerEvents = "none";
        });
        note();
        labels.addTo(map);
        map.on("moveend", refresh);
        map.whenReady(refresh);
      },
    };
  }

  // Street tiles from the deployment's tile service (MOBILISE_TILE_URL). The page sends its
  // origin as the Referer, as OpenStreetMap's tile usage policy asks (the site's own
  // referrer policy sends none elsewhere). When they cannot load, the offline layer instead.
  function streetTiles(map, tiles, offline) {
    const element = map.getContainer();
    let loaded = 0, failed = 0;
    const layer = L.tileLayer(tiles.url, {
      maxZoom: 19, attribution: tiles.attribution || "", referrerPolicy: "strict-origin-when-cross-origin",
    });
    layer.on("tileload", () => { loaded += 1; element.dataset.basemap = "tiles"; });
    layer.on("tileerror", () => {
      failed += 1;
      if (loaded === 0 || (failed >= 4 && failed > loaded)) {
        layer.remove();
        offline.show();
      }
    });
    layer.addTo(map);
  }

  function baseMap(element, options) {
    linkStylesheet();
    const map = L.map(element, Object.assign({zoomSnap: 0.25, maxZoom: 19, attributionControl: true}, options || {}));
    map.attributionControl.addAttribution(BOUNDARIES);
    const offline = offlineLayer(map);
    const start = tiles => {
      if (tiles && tiles.url && tiles.url !== "none") streetTiles(map, tiles, offline);
      else offline.show();
    };
    const fromPage = pageTiles();
    if (fromPage) start(fromPage); else basemapInfo().then(info => start(info.tiles));
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
