// What if…: a fuzzy-cognitive-map scenario told in words ("raising X tends to raise Y a lot,
// lower Z a little") and drawn as a bar chart of the changes, sorted (a part of map_editor.js).
//
// The sizes are words for how each change compares with the largest: a fuzzy cognitive map
// shows directions and relative sizes, not forecasts.
"use strict";
(function () {
  const HARDLY = 0.0005;  // a change smaller than this is no change
  const SIZES = [[0.5, "a lot"], [0.2, "somewhat"], [0, "a little"]];
  const MOST_BARS = 12;
  const SVG = "http://www.w3.org/2000/svg";

  function sizeWord(change, largest) {
    const share = Math.abs(change) / largest;
    return SIZES.find(([least]) => share >= least)[1];
  }

  function list(names) {
    return names.length < 2 ? names.join("") : names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  // The scenario in words: what holding `held` at `value` tends to do to the other factors.
  function words(rows, held, value) {
    const moved = rows.filter(r => !r.clamped && Math.abs(r.change) >= HARDLY);
    const still = rows.filter(r => !r.clamped && Math.abs(r.change) < HARDLY).map(r => r.label);
    const doing = value > 0 ? "Raising" : value < 0 ? "Lowering" : "Holding at zero";
    if (!moved.length) return {lead: `${doing} ${held} changes nothing else on the map: no links lead on from it.`, still: []};
    const largest = Math.max(...moved.map(r => Math.abs(r.change)));
    const phrases = [];
    for (const [verb, sign] of [["raise", 1], ["lower", -1]]) {
      for (const [, size] of SIZES) {
        const names = moved.filter(r => Math.sign(r.change) === sign && sizeWord(r.change, largest) === size).map(r => r.label);
        if (names.length) phrases.push(`${verb} ${list(names)} ${size}`);
      }
    }
    return {lead: `${doing} ${held} tends to ${list(phrases)}.`, still};
  }

  function svgElement(name, attributes, text) {
    const element = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, String(value)));
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // A diverging bar per factor, largest rise first and largest fall last, each labelled.
  function chart(rows, summary) {
    const shown = rows.filter(r => !r.clamped && Math.abs(r.change) >= HARDLY)
      .sort((a, b) => b.change - a.change);
    const kept = shown.length > MOST_BARS ? [...shown.slice(0, MOST_BARS / 2), ...shown.slice(-MOST_BARS / 2)] : shown;
    const width = 320, row = 38, middle = width / 2, reach = width / 2 - 44;
    const largest = Math.max(...kept.map(r => Math.abs(r.change)), 1e-9);
    const svg = svgElement("svg", {viewBox: `0 0 ${width} ${row * kept.length + 6}`, role: "img", "aria-label": summary, class: "what-if-chart", id: "what-if-chart"});
    kept.forEach((r, k) => {
      const y = k * row, length = Math.max(1, reach * Math.abs(r.change) / largest);
      const up = r.change > 0;
      svg.appendChild(svgElement("text", {x: 2, y: y + 13, class: "bar-label"}, r.label.length > 44 ? r.label.slice(0, 43) + "…" : r.label));
      svg.appendChild(svgElement("rect", {x: up ? middle : middle - length, y: y + 18, width: length, height: 14, class: up ? "bar up" : "bar down"}));
      const figure = (up ? "+" : "−") + Math.abs(r.change).toFixed(3);
      svg.appendChild(svgElement("text", {x: up ? middle + length + 4 : middle - length - 4, y: y + 30, class: "bar-value", "text-anchor": up ? "start" : "end"}, figure));
    });
    svg.appendChild(svgElement("line", {x1: middle, x2: middle, y1: 16, y2: row * kept.length + 4, class: "bar-axis"}));
    return svg;
  }

  function show(box, rows, held, value) {
    const told = words(rows, held, value);
    box.innerHTML = "";
    const lead = document.createElement("p");
    lead.id = "what-if-words";
    lead.className = "what-if-words";
    lead.textContent = told.lead;
    box.appendChild(lead);
    if (told.still.length) {
      const still = document.createElement("p");
      still.className = "small muted";
      still.textContent = `It hardly changes ${list(told.still)}.`;
      box.appendChild(still);
    }
    if (rows.some(r => !r.clamped && Math.abs(r.change) >= HARDLY)) {
      box.appendChild(chart(rows, told.lead));
      const note = document.createElement("p");
      note.className = "small muted";
      note.textContent = "Bars: how far each factor settles from where it is now (a fuzzy cognitive map, −1 to 1); " +
        "“a lot”, “somewhat” and “a little” compare each change with the largest. Directions, not forecasts.";
      box.appendChild(note);
    }
  }

  window.MobiliseMapWhatIf = {words};
  (window.MobiliseMapParts = window.MobiliseMapParts || []).push(function whatIfPart(editor) {
    const form = editor.$("what-if");
    if (!form) return;
    const box = editor.$("what-if-result");
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const data = new FormData(event.target);
      const factor = editor.factors.get(data.get("factor"));
      const value = Number(data.get("value"));
      try {
        const rows = await editor.api("/scenario", {method: "POST", body: JSON.stringify({clamps: {[data.get("factor")]: value}})});
        show(box, rows, factor ? factor.label : "it", value);
      } catch (error) {
        box.innerHTML = `<p class="error">${editor.esc(error.message)}</p>`;
      }
    });
  });
})();
