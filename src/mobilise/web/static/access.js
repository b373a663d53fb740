// The access and disparities page: progress of a running analysis, the map (access, LISA
// clusters, priority neighbourhoods) and the gradient chart by national IMD decile.
"use strict";
(function () {
  const M = window.Mobilise;

  document.querySelectorAll("select[data-autosubmit]").forEach(select =>
    select.addEventListener("change", () => select.form.submit()));

  // The new-run form: catchments in metres in a straight line, in minutes on streets.
  const travel = document.getElementById("travel");
  const catchments = document.getElementById("catchments");
  if (travel && catchments) {
    travel.addEventListener("change", () => {
      const onStreets = travel.value !== "straight-line";
      if (onStreets && catchments.value.trim() === "800,1600") catchments.value = "10,20";
      if (!onStreets && catchments.value.trim() === "10,20") catchments.value = "800,1600";
    });
  }

  const mapElement = document.getElementById("map");
  const scenario = JSON.parse(document.getElementById("scenario-data").textContent);
  if (!mapElement || !scenario) return;

  // -- the map ----------------------------------------------------------------------------------
  const unit = mapElement.dataset.unit;
  // Metres in a straight line; minutes on a street network (its nearest asset too).
  const nearUnit = mapElement.dataset.catchmentUnit === "min" ? "min" : "m";
  // The network detour: as the crow flies (1) to twice as long or more; dark past the catchment.
  const DETOUR = [[1.2, "#fef0d9", "Under 1.2 times"], [1.5, "#fdcc8a", "1.2 to 1.5 times"],
                  [2, "#fc8d59", "1.5 to 2 times"], [Infinity, "#d7301f", "2 times or more"]];
  const BEYOND = "#7f0000";
  const status = document.getElementById("status");
  const map = M.baseMap(mapElement);
  // Access: fifths of this place, light (low access) to dark blue (high); 0 = nothing in reach.
  const ACCESS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  const NONE = "#fdd0a2";
  const CLUSTERS = {
    "High-High": ["#b2182b", "High access, neighbours high too (a hot spot)"],
    "Low-Low": ["#2166ac", "Low access, neighbours low too (a cold spot)"],
    "High-Low": ["#f4a582", "High access among low neighbours"],
    "Low-High": ["#92c5de", "Low access among high neighbours"],
    "Not significant": ["#e8e8e8", "No clear pattern"],
  };
  const NOTES = {
    access: `Access of each neighbourhood in ${unit}, coloured by fifths of this place's neighbourhoods. Orange: no asset within the catchment.`,
    clusters: "Where neighbourhoods with similar access sit together beyond chance (local Moran's I, LISA). Hot spots are groups with high access; cold spots groups with low access.",
    priority: ((scenario.priority && scenario.priority.criteria) || []).join(" ") + " Click one for its profile.",
    detour: "Minutes on streets to the nearest asset over the straight-line distance to it at the same speed. Dark red: the streets reach no asset within the catchment that a straight line would.",
  };
  let features = [];
  let layer = null;
  let breaks = [];

  function fifths(values) {
    const sorted = values.slice().sort((a, b) => a - b);
    const found = [];
    for (let k = 1; k < 5; k++) found.push(sorted[Math.floor(k * sorted.length / 5)]);
    return found;
  }

  function colour(view, p) {
    if (view === "clusters") return (CLUSTERS[p.cluster] || ["#ffffff"])[0];
    if (view === "priority") return p.priority ? "#7b3294" : "#f0f0f0";
    if (view === "detour") {
      if (p.beyond) return BEYOND;
      if (p.detour === null || p.detour === undefined) return "#f0f0f0";
      return DETOUR.find(([top]) => p.detour < top)[1];
    }
    if (p.in_reach === 0) return NONE;
    return ACCESS[breaks.filter(b => p.value > b).length];
  }

  function legend(view) {
    const box = document.getElementById("legend");
    const row = (fill, text) => `<div class="row"><span class="swatch" style="background:${fill}"></span>${M.escapeHtml(text)}</div>`;
    let rows = "";
    if (view === "clusters") {
      const counts = {};
      features.forEach(f => { counts[f.properties.cluster] = (counts[f.properties.cluster] || 0) + 1; });
      rows = Object.entries(CLUSTERS).map(([k, [fill, text]]) => row(fill, `${text} (${counts[k] || 0})`)).join("");
    } else if (view === "priority") {
      const n = features.filter(f => f.properties.priority).length;
      rows = row("#7b3294", `Priority neighbourhood (${n})`) + row("#f0f0f0", "Not a priority");
    } else if (view === "detour") {
      rows = DETOUR.map(([, fill, text]) => row(fill, text)).join("") +
        row(BEYOND, "No asset on streets within the catchment") + row("#f0f0f0", "No asset either way");
    } else {
      const names = ["Lowest fifth here", "", "Middle fifth", "", "Highest fifth here"];
      rows = ACCESS.map((fill, k) => row(fill, names[k] || " ")).join("") + row(NONE, "Nothing within reach");
    }
    box.innerHTML = rows;
    document.getElementById("view-note").textContent = NOTES[view];
    document.getElementById("view-title").textContent =
      {access: "Access", clusters: "Clusters of high and low access", priority: "Priority neighbourhoods",
       detour: "Network detour"}[view];
  }

  function tooltip(p) {
    const near = p.nearest_m === null ? "none within the catchment" : `nearest ${p.nearest_m.toLocaleString("en-GB")} ${nearUnit}`;
    const detour = p.beyond ? "<br>Detour: no asset on streets within the catchment" :
      (p.detour !== undefined && p.detour !== null ? `<br>Detour: ${M.formatNumber(p.detour)} times the straight line` : "");
    return `<strong>${M.escapeHtml(p.name)}</strong> <small>${M.escapeHtml(p.code)}</small><br>` +
      `Access: <strong>${M.formatNumber(p.value)}</strong> ${M.escapeHtml(unit)}<br>` +
      `${p.in_reach} in reach; ${near}<br>` +
      `IMD decile ${p.imd_decile || "–"} · ${p.population.toLocaleString("en-GB")} residents` +
      (p.cluster && p.cluster !== "Not significant" ? `<br>Cluster: ${M.escapeHtml(p.cluster)}` : "") +
      (p.priority ? `<br><strong>Priority:</strong> ${M.escapeHtml(p.reasons.join("; "))}` : "") + detour;
  }

  function draw(view) {
    if (layer) layer.remove();
    layer = L.geoJSON({type: "FeatureCollection", features}, {
      style: f => ({color: view === "priority" && f.properties.priority ? "#2d004b" : "#ffffff",
                    weight: view === "priority" && f.properties.priority ? 1.4 : 0.5,
                    fillColor: colour(view, f.properties), fillOpacity: 0.85}),
      onEachFeature: (f, shape) => {
        shape.bindTooltip(tooltip(f.properties), {sticky: true});
        shape.on("click", () => { window.location.href = "/areas/" + f.properties.code; });
      },
    }).addTo(map);
    legend(view);
    mapElement.dataset.view = view;
  }

  async function load() {
    const d = mapElement.dataset;
    const url = `/api/v1/access/runs/${encodeURIComponent(d.run)}/areas.geojson?category=${encodeURIComponent(d.category)}&catchment_m=${d.catchment}&decay=${encodeURIComponent(d.decay)}`;
    try {
      const response = await fetch(url);
      const body = await response.json();
      if (!response.ok) throw new Error((body.error && body.error.message) || "the server answered " + response.status);
      features = body.features;
    } catch (error) {
      status.textContent = "Could not load the map: " + error.message;
      return;
    }
    breaks = fifths(features.filter(f => f.properties.in_reach > 0).map(f => f.properties.value));
    draw("access");
    map.fitBounds(layer.getBounds(), {padding: [8, 8]});
    status.textContent = `${features.length.toLocaleString("en-GB")} neighbourhoods. Hover for details; click one for its profile.`;
    mapElement.dataset.ready = "true";
  }

  document.querySelectorAll("input[name=view]").forEach(input =>
    input.addEventListener("change", () => { if (input.checked && features.length) draw(input.value); }));
  load();

  // -- the gradient chart -----------------------------------------------------------------------
  function gradientChart() {
    const box = document.getElementById("gradient");
    const groups = scenario.gradient || [];
    if (!groups.length) { box.innerHTML = '<p class="small muted">No IMD deciles for these neighbourhoods.</p>'; return; }
    const W = 640, H = 260, left = 56, right = 12, top = 14, bottom = 44;
    const top_ = Math.max(...groups.map(g => g.value + 1.96 * (g.se || 0)), 1e-9);
    // A round step for the axis: 1, 2 or 5 times a power of ten, four or five steps high.
    const rough = top_ / 4, power = Math.pow(10, Math.floor(Math.log10(rough)));
    const tick = [1, 2, 5, 10].map(m => m * power).find(s => s >= rough);
    const ticks = Math.ceil(top_ / tick);
    const high = ticks * tick;
    const x = d => left + (d - 0.5) * (W - left - right) / 10;
    const y = v => top + (H - top - bottom) * (1 - Math.max(0, v) / high);
    const band = (W - left - right) / 10 * 0.7;
    let svg = `<svg viewBox="0 0 ${W} ${H}" width="100%" xmlns="http://www.w3.org/2000/svg" font-size="11">`;
    for (let k = 0; k <= ticks; k++) {
      const v = tick * k;
      svg += `<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e6ea"/>` +
             `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#5b6473">${M.formatNumber(v)}</text>`;
    }
    groups.forEach(g => {
      const colour = M.DECILE_COLOURS[g.decile - 1];
      svg += `<rect x="${x(g.decile) - band / 2}" y="${y(g.value)}" width="${band}" height="${y(0) - y(g.value)}" fill="${colour}" opacity="0.85"><title>Decile ${g.decile}: ${M.formatNumber(g.value)} ${M.escapeHtml(unit)} (${g.areas} neighbourhoods, ${g.population.toLocaleString("en-GB")} residents)</title></rect>`;
      if (g.se) {
        const lo = y(g.value - 1.96 * g.se), hi = y(g.value + 1.96 * g.se);
        svg += `<line x1="${x(g.decile)}" x2="${x(g.decile)}" y1="${lo}" y2="${hi}" stroke="#1d2330"/>` +
               `<line x1="${x(g.decile) - 5}" x2="${x(g.decile) + 5}" y1="${hi}" y2="${hi}" stroke="#1d2330"/>` +
               `<line x1="${x(g.decile) - 5}" x2="${x(g.decile) + 5}" y1="${lo}" y2="${lo}" stroke="#1d2330"/>`;
      }
      svg += `<text x="${x(g.decile)}" y="${H - bottom + 16}" text-anchor="middle" fill="#1d2330">${g.decile}</text>`;
    });
    const sii = scenario.sii;
    if (sii && sii.intercept !== null && !sii.transform && groups.every(g => g.midpoint !== undefined)) {
      // The fitted line is on the cumulative population (0 = most deprived resident, 1 = least),
      // so each decile's point is the fit at the middle of its residents, drawn over its bar.
      const points = groups.map(g => `${x(g.decile)},${y(sii.intercept + sii.slope * g.midpoint)}`).join(" ");
      svg += `<polyline id="sii-line" points="${points}" fill="none" stroke="#1d2330" stroke-width="2" stroke-dasharray="6 4"><title>Fitted gradient: SII ${M.formatNumber(sii.sii)} ${M.escapeHtml(unit)}</title></polyline>`;
    }
    svg += `<text x="${left}" y="${H - 8}" fill="#5b6473">← most deprived 10% in England</text>` +
           `<text x="${W - right}" y="${H - 8}" text-anchor="end" fill="#5b6473">least deprived 10% →</text></svg>`;
    box.innerHTML = svg;
  }
  gradientChart();
})();
