// The programme's map: a point per place each project named (the points are the page's JSON,
// not script: the Content-Security-Policy runs no inline script). A project that published no
// figures has a hollow point.
"use strict";
(function () {
  const M = window.Mobilise;
  const box = document.getElementById("programme-map");
  const data = document.getElementById(box ? box.dataset.points : "");
  if (!box || !data) return;
  const points = JSON.parse(data.textContent);
  const map = M.baseMap(box);
  map.setView([54.5, -3.5], 5);
  const markers = points.map(p => L.circleMarker([p.lat, p.lon], {
    radius: 7, color: "#13294b", weight: 2,
    fillColor: p.metadata_only ? "#ffffff" : "#0b5cad", fillOpacity: p.metadata_only ? 0.6 : 0.85,
  }).bindPopup(`<a href="/programme/projects/${encodeURIComponent(p.key)}"><strong>${M.escapeHtml(p.title)}</strong></a><br>` +
               `${M.escapeHtml(p.place)}${p.metadata_only ? "<br>No figures published" : ""}`));
  if (markers.length) {
    const group = L.featureGroup(markers).addTo(map);
    map.fitBounds(group.getBounds(), {padding: [20, 20], maxZoom: 10});
  }
  box.dataset.ready = "true";
  box.dataset.count = String(markers.length);
})();
