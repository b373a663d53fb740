// The place page: choropleth of one indicator, legend, tooltips and national decile profile.
"use strict";
(function () {
  const M = window.Mobilise;
  const mapElement = document.getElementById("map");
  const slug = mapElement.dataset.place;
  const indicators = JSON.parse(document.getElementById("indicators-data").textContent);
  const select = document.getElementById("indicator");
  const status = document.getElementById("status");
  const map = M.baseMap(mapElement);
  let layer = null;
  let firstFit = true;
  let latest = 0;  // only the newest request may draw: answers can arrive out of order

  function quantileBreaks(values, classes) {
    const sorted = values.filter(v => v !== null).sort((a, b) => a - b);
    const breaks = [];
    for (let k = 1; k < classes; k++) breaks.push(sorted[Math.floor(k * sorted.length / classes)]);
    return breaks;
  }

  function styler(meta, features) {
    if (meta.national_breaks) {
      return f => f.properties.national_decile ? M.DECILE_COLOURS[f.properties.national_decile - 1] : "#bbbbbb";
    }
    // No national reference: fifths of this place, darker = worse (or higher when neutral).
    const breaks = quantileBreaks(features.map(f => f.properties.value), 5);
    const better = meta.polarity === "higher_is_better";
    return f => {
      const v = f.properties.value;
      if (v === null || v === undefined) return "#bbbbbb";
      let k = breaks.filter(b => v > b).length;
      if (better) k = 4 - k;
      return M.SEQUENTIAL[k];
    };
  }

  function legend(meta, features) {
    const box = document.getElementById("legend");
    let rows = "";
    if (meta.national_breaks) {
      const directed = meta.polarity === "higher_is_better" || meta.polarity === "higher_is_worse";
      const labels = directed ? {1: "Worst 10% in England", 10: "Best 10% in England"}
                              : {1: "Lowest 10% in England", 10: "Highest 10% in England"};
      for (let d = 1; d <= 10; d++) {
        rows += `<div class="row"><span class="swatch" style="background:${M.DECILE_COLOURS[d - 1]}"></span>Decile ${d}${labels[d] ? " – " + labels[d] : ""}</div>`;
      }
    } else {
      const names = ["Best fifth of this place", "", "Middle fifth", "", "Worst fifth of this place"];
      for (let k = 0; k < 5; k++) {
        rows += `<div class="row"><span class="swatch" style="background:${M.SEQUENTIAL[k]}"></span>${names[k]}</div>`;
      }
    }
    rows += `<div class="row"><span class="swatch" style="background:#bbbbbb"></span>No value</div>`;
    box.innerHTML = rows;
  }

  function deciles(meta, features) {
    const box = document.getElementById("deciles");
    if (!meta.national_breaks) {
      box.innerHTML = '<p class="small muted">This indicator has no national reference.</p>';
      return;
    }
    const counts = new Array(10).fill(0);
    features.forEach(f => { if (f.properties.national_decile) counts[f.properties.national_decile - 1]++; });
    const top = Math.max(1, ...counts);
    box.innerHTML = counts.map((n, i) =>
      `<div class="bar" style="height:${(100 * n / top).toFixed(1)}%;background:${M.DECILE_COLOURS[i]}" title="Decile ${i + 1}: ${n} neighbourhoods"><span>${n}</span></div>`
    ).join("");
    let axis = document.getElementById("deciles-axis");
    if (!axis) {
      axis = document.createElement("div");
      axis.id = "deciles-axis";
      axis.className = "deciles-axis";
      box.after(axis);
    }
    const directed = meta.polarity === "higher_is_better" || meta.polarity === "higher_is_worse";
    axis.innerHTML = directed ? "<span>worst 10%</span><span>best 10%</span>"
                              : "<span>lowest 10%</span><span>highest 10%</span>";
  }

  function describe(meta) {
    document.getElementById("indicator-name").textContent = meta.name;
    const polarity = {higher_is_worse: "Higher values are worse.", higher_is_better: "Higher values are better.", neutral: ""}[meta.polarity] || "";
    const unit = meta.unit ? ` Unit: ${meta.unit}.` : "";
    document.getElementById("indicator-note").textContent =
      `${meta.description || ""} ${polarity}${unit} Source: ${meta.source}, ${meta.period}. ` +
      (meta.national_breaks ? "Colours show each neighbourhood's tenth (decile) among all neighbourhoods in England." :
                              "Colours show fifths of this place's neighbourhoods.");
  }

  async function show(indicatorId) {
    const meta = indicators[indicatorId];
    const request = ++latest;
    status.textContent = "Loading " + meta.name + "…";
    mapElement.dataset.ready = "false";
    const url = `/api/v1/places/${encodeURIComponent(slug)}/areas.geojson?indicator=${encodeURIComponent(indicatorId)}`;
    document.getElementById("download").href = url;
    let collection;
    try {
      const response = await fetch(url);
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || "the server answered " + response.status);
      }
      collection = await response.json();
    } catch (error) {
      if (request === latest) status.textContent = "Could not load the map: " + error.message;
      return;
    }
    if (request !== latest) return;
    const colour = styler(meta, collection.features);
    if (layer) layer.remove();
    layer = L.geoJSON(collection, {
      style: f => ({color: "#ffffff", weight: 0.6, fillColor: colour(f), fillOpacity: 0.85}),
      onEachFeature: (f, shape) => {
        const p = f.properties;
        shape.bindTooltip(
          `<strong>${M.escapeHtml(p.name)}</strong> <small>${p.code}${p.lad ? ", " + M.escapeHtml(p.lad) : ""}</small><br>` +
          `${M.escapeHtml(meta.name)}: <strong>${M.formatNumber(p.value, meta.unit)}</strong> ${M.escapeHtml(meta.unit || "")}<br>` +
          (meta.national_breaks ? M.decileWords(p.national_decile, meta.polarity) : ""), {sticky: true});
        shape.on("click", () => { window.location.href = "/areas/" + p.code; });
        shape.on("mouseover", () => shape.setStyle({weight: 2, color: "#000"}));
        shape.on("mouseout", () => layer.resetStyle(shape));
      },
    }).addTo(map);
    if (firstFit) { map.fitBounds(layer.getBounds(), {padding: [8, 8]}); firstFit = false; }
    describe(meta);
    legend(meta, collection.features);
    deciles(meta, collection.features);
    status.textContent = `Showing ${collection.features.length.toLocaleString("en-GB")} neighbourhoods. Hover for values; click one for its profile.`;
    mapElement.dataset.ready = "true";
    mapElement.dataset.features = String(collection.features.length);
  }

  select.addEventListener("change", () => {
    const params = new URLSearchParams(window.location.search);
    params.set("indicator", select.value);
    history.replaceState(null, "", "?" + params.toString());
    show(select.value);
  });
  if (select.value) show(select.value); else status.textContent = "No indicators are stored for this place yet.";
})();
