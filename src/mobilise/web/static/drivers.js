// Drivers of disparities: the variable filter of the form, the progress of a running analysis,
// and the map of a local model's effects (where each link is positive, negative or not
// distinguishable from chance once every area's test is counted).
"use strict";
(function () {
  const M = window.Mobilise;

  // -- the form: filter the long list of variables -------------------------------------------
  document.querySelectorAll("input[data-filter]").forEach(input => {
    const list = document.getElementById(input.dataset.filter);
    input.addEventListener("input", () => {
      const wanted = input.value.trim().toLowerCase();
      list.querySelectorAll("label").forEach(label => {
        label.hidden = wanted !== "" && !label.textContent.toLowerCase().includes(wanted);
      });
    });
  });

  // -- the map of local effects ------------------------------------------------------------------
  const mapElement = document.getElementById("map");
  const dataElement = document.getElementById("drivers-data");
  if (!mapElement || !dataElement || !M) return;
  const data = JSON.parse(dataElement.textContent);
  if (!data.models.length) return;
  const modelChoice = document.getElementById("map-model");
  const termChoice = document.getElementById("map-term");
  const words = document.getElementById("map-words");
  const status = document.getElementById("map-status");
  const map = M.baseMap(mapElement);
  const POSITIVE = ["#fddbc7", "#f4a582", "#b2182b"];
  const NEGATIVE = ["#d1e5f0", "#92c5de", "#2166ac"];
  const NOT_SIGNIFICANT = "#eeeeee";
  const R2 = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"];
  let layer = null;

  function model() { return data.models.find(m => m.kind === modelChoice.value); }

  function fillTerms() {
    const chosen = model();
    termChoice.replaceChildren();
    chosen.terms.forEach(t => termChoice.append(new Option(t.label, t.name)));
    if (chosen.kind === "gwr") termChoice.append(new Option("How well the model fits locally (local R²)", "local_r2"));
    termChoice.value = chosen.terms.length > 1 ? chosen.terms[1].name : chosen.terms[0].name;
  }

  function thirds(values) {
    const sorted = values.slice().sort((a, b) => a - b);
    return [sorted[Math.floor(sorted.length / 3)], sorted[Math.floor(2 * sorted.length / 3)]];
  }

  function swatch(fill, text) {
    const row = document.createElement("div");
    row.className = "row";
    const box = document.createElement("span");
    box.className = "swatch";
    box.style.background = fill;
    row.append(box, document.createTextNode(text));
    return row;
  }

  function draw(collection) {
    const term = termChoice.value;
    const legend = document.getElementById("legend");
    let colour;
    if (term === "local_r2") {
      colour = p => R2[Math.min(4, Math.floor((p.local_r2 || 0) * 5))];
      legend.replaceChildren(...R2.map((fill, k) => swatch(fill, `Local R² ${k * 20}–${(k + 1) * 20}%`)));
      words.textContent = "How much of the differences near each neighbourhood the local model accounts for.";
    } else {
      const features = collection.features.map(f => f.properties);
      const up = thirds(features.filter(p => p.significant && p.value > 0).map(p => p.value));
      const down = thirds(features.filter(p => p.significant && p.value < 0).map(p => -p.value));
      colour = p => {
        if (!p.significant) return NOT_SIGNIFICANT;
        const scale = p.value > 0 ? POSITIVE : NEGATIVE;
        const cuts = p.value > 0 ? up : down;
        return scale[cuts.filter(c => Math.abs(p.value) > c).length];
      };
      const count = (test) => features.filter(test).length;
      legend.replaceChildren(
        swatch(POSITIVE[2], `Goes with a higher outcome (${count(p => p.significant && p.value > 0)} areas; darker: stronger)`),
        swatch(NEGATIVE[2], `Goes with a lower outcome (${count(p => p.significant && p.value < 0)} areas; darker: stronger)`),
        swatch(NOT_SIGNIFICANT, `Not distinguishable from chance here (${count(p => !p.significant)} areas)`),
      );
      const found = model().terms.find(t => t.name === term);
      words.textContent = (found && found.words) || "";
    }
    if (layer) layer.remove();
    layer = L.geoJSON(collection, {
      style: f => ({color: "#ffffff", weight: 0.5, fillColor: colour(f.properties), fillOpacity: 0.85}),
      onEachFeature: (f, shape) => {
        const p = f.properties;
        const detail = term === "local_r2"
          ? `Local R² ${M.formatNumber(p.local_r2)}`
          : `Local effect ${M.formatNumber(p.value)} (t ${M.formatNumber(p.t)})${p.significant ? "" : ", not significant"}`;
        shape.bindTooltip(`<strong>${M.escapeHtml(p.name)}</strong> <small>${M.escapeHtml(p.code)}</small><br>${M.escapeHtml(detail)}`, {sticky: true});
      },
    }).addTo(map);
    if (collection.features.length) map.fitBounds(layer.getBounds());
    mapElement.dataset.drawn = `${modelChoice.value}:${term}`;
    status.textContent = `${collection.features.length} neighbourhoods shown.`;
  }

  async function load() {
    const term = termChoice.value === "local_r2" ? "intercept" : termChoice.value;
    status.textContent = "Loading the map…";
    const query = new URLSearchParams({model: modelChoice.value, term});
    try {
      const response = await fetch(`/api/v1/drivers/runs/${encodeURIComponent(data.run)}/areas.geojson?${query}`);
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
    } catch (error) {
      status.textContent = "Could not load the map: " + error.message + ".";
    }
  }

  modelChoice.addEventListener("change", () => { fillTerms(); load(); });
  termChoice.addEventListener("change", load);
  fillTerms();
  load();
})();
