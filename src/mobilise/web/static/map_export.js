// The systems-map editor's downloads: the drawing as PNG or SVG, and the map as a file for
// another tool (a part of map_editor.js).
"use strict";
(window.MobiliseMapParts = window.MobiliseMapParts || []).push(function exportPart(editor) {
  const {cy, $, esc, look} = editor;
  const {KIND_COLOURS, POLARITY_COLOURS, SIGN} = look;
  const base = editor.root.dataset.api;

  function download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  const fileName = ($("map-title").textContent || "map").trim().replace(/[^\w-]+/g, "-").toLowerCase();
  $("export-png").addEventListener("click", () => download(fileName + ".png", cy.png({full: true, scale: 2, bg: "#ffffff", output: "blob"})));
  $("export-svg").addEventListener("click", () => download(fileName + ".svg", new Blob([toSvg()], {type: "image/svg+xml"})));
  const exportFormat = $("export-format");
  if (exportFormat) exportFormat.addEventListener("change", () => {
    if (exportFormat.value) window.location.href = `${base}/export?format=${exportFormat.value}`;
    exportFormat.value = "";
  });

  // The drawing as SVG: straight links with arrowheads and signs, factors as labelled boxes.
  function toSvg() {
    const box = cy.elements().boundingBox();
    const pad = 20, w = box.w + 2 * pad, h = box.h + 2 * pad, dx = pad - box.x1, dy = pad - box.y1;
    const text = look.textPx(), sign = look.signPx();
    let out = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">` +
      '<defs>' + Object.entries(POLARITY_COLOURS).map(([p, c]) => `<marker id="arrow${p === "+" ? "p" : p === "-" ? "n" : "u"}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`).join("") + "</defs>";
    cy.edges().forEach(edge => {
      const s = edge.sourceEndpoint(), t = edge.targetEndpoint(), p = edge.data("polarity");
      const colour = POLARITY_COLOURS[p], marker = p === "+" ? "p" : p === "-" ? "n" : "u";
      out += `<line x1="${s.x + dx}" y1="${s.y + dy}" x2="${t.x + dx}" y2="${t.y + dy}" stroke="${colour}" stroke-width="2"${edge.data("contested") ? ' stroke-dasharray="6 4"' : ""} marker-end="url(#arrow${marker})"/>` +
        `<text x="${(s.x + t.x) / 2 + dx}" y="${(s.y + t.y) / 2 + dy}" fill="${colour}" font-size="${sign}" font-weight="bold" text-anchor="middle">${SIGN[p]}${edge.data("delay") ? " ‖" : ""}</text>`;
    });
    cy.nodes().forEach(node => {
      const b = node.boundingBox({includeLabels: false});
      out += `<rect x="${b.x1 + dx}" y="${b.y1 + dy}" width="${b.w}" height="${b.h}" rx="6" fill="${KIND_COLOURS[node.data("kind")] || KIND_COLOURS.other}"/>` +
        `<text x="${node.position("x") + dx}" y="${node.position("y") + dy + text / 3}" fill="#fff" font-size="${text}" text-anchor="middle">${esc(node.data("label"))}</text>`;
    });
    return out + "</svg>";
  }
});
