// The partnership network drawing: Cytoscape.js, one layout for every round so that partners keep
// their place when the round slider moves; size by a chosen centrality; filter ties by level.
"use strict";
(function () {
  const container = document.getElementById("net-cy");
  if (!container) return;
  const esc = window.Mobilise.escapeHtml;
  const $ = id => document.getElementById(id);
  const roundIds = JSON.parse($("net-rounds").textContent);
  const slider = $("round-slider");
  const params = new URLSearchParams(location.search);
  let current = slider ? roundIds[Number(slider.value)] : roundIds[roundIds.length - 1];
  if (params.get("round") && roundIds.includes(params.get("round"))) current = params.get("round");
  const drawings = new Map();  // round id -> {nodes, edges}
  const positions = new Map();  // partner id -> {x, y}, shared by every round
  const LEVEL_STYLE = {
    cooperative: {width: 1.5, colour: "#8fb3d9"},
    coordinated: {width: 3, colour: "#3f7cbf"},
    integrated: {width: 5.5, colour: "#13294b"},
    unspecified: {width: 1.5, colour: "#9a9a9a"},
  };
  const MEASURE_WORDS = {degree: "Degree", betweenness: "Betweenness", closeness: "Closeness",
                         eigenvector: "Eigenvector", k_core: "k-core"};

  const cy = cytoscape({
    container,
    autoungrabify: false,
    minZoom: 0.2,
    maxZoom: 4,
    style: [
      {selector: "node", style: {
        "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "border-width": 1, "border-color": "#ffffff",
        "label": "", "font-size": 13, "text-valign": "bottom", "text-margin-y": 3,
        "text-background-color": "#ffffff", "text-background-opacity": 0.8, "text-background-padding": 1}},
      {selector: "node[kind = 'individual']", style: {"shape": "diamond"}},
      {selector: "node.labelled, node.hover, node:selected, node.neighbour", style: {"label": "data(name)"}},
      {selector: "edge", style: {
        "curve-style": "haystack", "haystack-radius": 0,
        "width": ele => LEVEL_STYLE[ele.data("level_label")].width,
        "line-color": ele => LEVEL_STYLE[ele.data("level_label")].colour,
        "line-style": ele => ele.data("mutual") ? "solid" : "dashed",
        "line-dash-pattern": [6, 4], "opacity": 0.75}},
      {selector: "edge.filtered", style: {"display": "none"}},
      {selector: "node:selected", style: {"border-width": 4, "border-color": "#ffb000"}},
      {selector: ".faded", style: {"opacity": 0.12}},
      {selector: "edge.neighbour", style: {"opacity": 1}},
    ],
  });
  window.mobiliseNetwork = cy;  // for tests and the browser console

  function fetchDrawing(id) {
    if (drawings.has(id)) return Promise.resolve(drawings.get(id));
    return fetch(`/api/v1/network/${encodeURIComponent(id)}/drawing`, {headers: {Accept: "application/json"}})
      .then(response => {
        if (!response.ok) throw new Error(`the drawing did not load (${response.status})`);
        return response.json();
      })
      .then(drawing => { drawings.set(id, drawing); return drawing; });
  }

  // One layout on the union of all rounds' partners and ties, so a partner stays put across rounds.
  // Start from a circle ordered by sector and name (not random), so the layout is the same each time.
  function layoutUnion(all) {
    const nodes = new Map();
    const edges = new Map();
    all.forEach(d => {
      d.nodes.forEach(n => nodes.set(n.id, n));
      d.edges.forEach(e => edges.set(e.source + "|" + e.target, e));
    });
    const ordered = [...nodes.values()].sort((a, b) => (a.sector + a.name).localeCompare(b.sector + b.name));
    const radius = 40 * Math.max(4, ordered.length) / (2 * Math.PI);
    const scratch = cytoscape({headless: true, styleEnabled: true,
                               style: [{selector: "node", style: {width: 34, height: 34}}]});
    scratch.add(ordered.map((n, i) => ({group: "nodes", data: {id: n.id},
      position: {x: radius * Math.cos(2 * Math.PI * i / ordered.length), y: radius * Math.sin(2 * Math.PI * i / ordered.length)}})));
    scratch.add([...edges.values()].map(e => ({group: "edges", data: {id: e.source + "|" + e.target, source: e.source, target: e.target}})));
    scratch.layout({name: "cose", animate: false, randomize: false, fit: false, numIter: 2500,
                    nodeRepulsion: () => 400000, idealEdgeLength: () => 90, edgeElasticity: () => 60,
                    nodeOverlap: 20, gravity: 0.4, componentSpacing: 80}).run();
    scratch.nodes().forEach(n => positions.set(n.id(), {...n.position()}));
    scratch.destroy();
  }

  function sizeOf(drawing, measure) {
    const values = drawing.nodes.map(n => n[measure] ?? 0);
    const low = Math.min(...values), high = Math.max(...values);
    return value => 10 + 28 * (high > low ? ((value ?? 0) - low) / (high - low) : 0.5);
  }

  function draw(id) {
    const drawing = drawings.get(id);
    const size = sizeOf(drawing, $("size-by").value);
    const selected = cy.$("node:selected").map(n => n.id());
    cy.batch(() => {
      cy.elements().remove();
      cy.add(drawing.nodes.map(n => ({group: "nodes", data: {...n, size: size(n[$("size-by").value])},
                                      position: {...(positions.get(n.id) || {x: 0, y: 0})}})));
      cy.add(drawing.edges.map(e => ({group: "edges", data: {...e, id: e.source + "|" + e.target}})));
    });
    applyFilter();
    labelHubs();
    const again = selected.length ? cy.getElementById(selected[0]) : null;
    if (again && again.nonempty()) { again.select(); showPartner(again); } else clearPanel();
    $("net-status").textContent = `${drawing.nodes.length} partners and ${drawing.edges.length} pairs working together in ${drawing.round}.`;
  }

  function resize() {
    const drawing = drawings.get(current);
    if (!drawing) return;
    const measure = $("size-by").value;
    const size = sizeOf(drawing, measure);
    cy.nodes().forEach(n => n.data("size", size(n.data(measure))));
    labelHubs();
  }

  // Name the five biggest partners by the chosen measure; the rest on click or hover.
  function labelHubs() {
    const measure = $("size-by").value;
    cy.nodes().removeClass("labelled");
    cy.nodes().sort((a, b) => (b.data(measure) || 0) - (a.data(measure) || 0)).slice(0, 5).addClass("labelled");
  }

  function applyFilter() {
    const shown = new Set([...document.querySelectorAll("input[name=level]:checked")].map(box => box.value));
    cy.edges().forEach(e => e.toggleClass("filtered", !shown.has(e.data("level_label"))));
  }

  function figure(value) {
    if (value === null || value === undefined) return "–";
    return Number.isInteger(value) ? String(value) : Number(value).toPrecision(2);
  }

  function showPartner(node) {
    const d = node.data();
    const ties = node.connectedEdges().filter(e => !e.hasClass("filtered"));
    cy.elements().addClass("faded").removeClass("neighbour");
    node.closedNeighbourhood().removeClass("faded");
    node.connectedEdges().addClass("neighbour");
    node.neighbourhood("node").addClass("neighbour");
    const byLevel = {};
    ties.forEach(e => { byLevel[e.data("level_label")] = (byLevel[e.data("level_label")] || 0) + 1; });
    const levels = Object.entries(byLevel).map(([level, count]) => `${count} ${esc(level)}`).join(", ");
    $("net-panel").innerHTML =
      `<h3 id="panel-name">${esc(d.name)}</h3>` +
      `<p class="small"><span class="dot" style="background:${esc(d.colour)}"></span>${esc(d.sector_label)}` +
      `${d.kind === "individual" ? " · individual member" : ""}<br>${d.responded ? "Answered this round." : "Did not answer this round."}</p>` +
      `<dl class="panel-figures">` +
      Object.entries(MEASURE_WORDS).map(([key, word]) => `<div><dt>${word}</dt><dd>${esc(figure(d[key]))}</dd></div>`).join("") +
      `</dl>` +
      `<p class="small">Ties shown: ${ties.length}${levels ? ` (${levels})` : ""}.</p>` +
      `<p><a id="panel-profile" href="/partners/${encodeURIComponent(d.id)}/profile?round=${encodeURIComponent(current)}">Profile of ${esc(d.name)} →</a></p>` +
      `<button type="button" class="textbutton" id="panel-close">Close</button>`;
    $("panel-close").addEventListener("click", () => { cy.$(":selected").unselect(); clearPanel(); });
  }

  function clearPanel() {
    cy.elements().removeClass("faded neighbour");
    $("net-panel").innerHTML = `<p class="small muted">Click a partner to see its place in the network.</p>`;
  }

  cy.on("tap", "node", event => showPartner(event.target));
  cy.on("tap", event => { if (event.target === cy) clearPanel(); });
  cy.on("mouseover", "node", event => event.target.addClass("hover"));
  cy.on("mouseout", "node", event => event.target.removeClass("hover"));
  $("size-by").addEventListener("change", resize);
  document.querySelectorAll("input[name=level]").forEach(box => box.addEventListener("change", () => {
    applyFilter();
    const chosen = cy.$("node:selected");
    if (chosen.nonempty()) showPartner(chosen[0]);
  }));

  // The dashboard below follows the slider: the page for that round, its measures swapped in.
  let pending = null;
  function loadDashboard(id) {
    if (pending) pending.abort();
    pending = new AbortController();
    const dashboard = $("dashboard");
    dashboard.setAttribute("aria-busy", "true");
    dashboard.classList.add("loading");
    fetch(`/network?round=${encodeURIComponent(id)}`, {signal: pending.signal})
      .then(response => response.text())
      .then(html => {
        const page = new DOMParser().parseFromString(html, "text/html");
        const fresh = page.getElementById("dashboard");
        if (fresh) dashboard.innerHTML = fresh.innerHTML;
        const legend = page.querySelector(".net-legend");
        if (legend) document.querySelector(".net-legend").innerHTML = legend.innerHTML;
      })
      .catch(error => { if (error.name !== "AbortError") $("net-status").textContent = "The measures did not load: " + error.message; })
      .finally(() => { dashboard.removeAttribute("aria-busy"); dashboard.classList.remove("loading"); });
  }

  if (slider) {
    slider.addEventListener("input", () => {
      const id = roundIds[Number(slider.value)];
      if (id === current || !drawings.has(id)) return;
      current = id;
      const drawing = drawings.get(id);
      $("round-name").textContent = drawing.round;
      slider.setAttribute("aria-valuetext", drawing.round);
      draw(id);
    });
    slider.addEventListener("change", () => {
      const id = roundIds[Number(slider.value)];
      history.replaceState(null, "", `/network?round=${encodeURIComponent(id)}`);
      loadDashboard(id);
    });
  }

  Promise.all(roundIds.map(fetchDrawing))
    .then(all => {
      layoutUnion(all);
      draw(current);
      cy.fit(undefined, 20);
      container.dataset.ready = "true";
    })
    .catch(error => { $("net-status").textContent = "The drawing did not load: " + error.message; });
})();

// The map of partners: Leaflet markers coloured by sector; the round's ties as thin lines.
(function () {
  const element = document.getElementById("partner-map");
  if (!element) return;
  const M = window.Mobilise;
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const map = M.baseMap(element);
  const round = new URLSearchParams(location.search).get("round");
  const at = new Map(data.nodes.map(n => [n.id, [n.latitude, n.longitude]]));
  const markers = L.featureGroup(data.nodes.map(n =>
    L.circleMarker([n.latitude, n.longitude], {radius: 7, color: "#ffffff", weight: 1.5, fillColor: n.colour, fillOpacity: 0.95})
      .bindPopup(`<strong>${M.escapeHtml(n.name)}</strong><br>${M.escapeHtml(n.sector_label)}<br>` +
                 `<a href="/partners/${encodeURIComponent(n.id)}/profile${round ? "?round=" + encodeURIComponent(round) : ""}">Profile →</a>`)
      .bindTooltip(M.escapeHtml(n.name))));
  const ties = L.featureGroup(data.edges
    .filter(e => at.has(e.source) && at.has(e.target))
    .map(e => L.polyline([at.get(e.source), at.get(e.target)],
                         {color: "#13294b", weight: e.level === 3 ? 2 : 1, opacity: 0.2, interactive: false})));
  ties.addTo(map);
  markers.addTo(map);
  if (data.nodes.length) map.fitBounds(markers.getBounds().pad(0.1));
  else map.setView([52.5, -1.5], 6);
  const toggle = document.getElementById("show-ties");
  if (toggle) toggle.addEventListener("change", () => {
    if (toggle.checked) { ties.addTo(map); markers.bringToFront(); } else map.removeLayer(ties);
  });
  window.mobilisePartnerMap = {map, markers, ties};  // for tests
})();
