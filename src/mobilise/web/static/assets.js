// The directory map: every asset found, clustered, linked to its page.
"use strict";
(function () {
  const M = window.Mobilise;
  const box = document.getElementById("asset-map");
  if (!box) return;
  const map = M.baseMap(box);
  map.setView([52.5, -1.0], 6);
  const clusters = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40});
  map.addLayer(clusters);
  fetch("/api/v1/assets.geojson?" + box.dataset.query)
    .then(r => r.ok ? r.json() : Promise.reject(new Error("the server answered " + r.status)))
    .then(collection => {
      const layer = L.geoJSON(collection, {
        pointToLayer: (f, at) => L.circleMarker(at, {radius: 7, color: "#13294b", weight: 1, fillColor: "#0b5cad", fillOpacity: 0.85}),
        onEachFeature: (f, marker) => {
          const p = f.properties;
          marker.bindPopup(`<a href="/assets/${encodeURIComponent(f.id)}"><strong>${M.escapeHtml(p.name)}</strong></a><br>` +
                           `${M.escapeHtml(p.postcode || "")}${p.distance_m !== null && p.distance_m !== undefined ? " · " + Math.round(p.distance_m) + " m" : ""}`);
        },
      });
      clusters.addLayer(layer);
      if (collection.centre) {
        const at = [collection.centre.lat, collection.centre.lon];
        const circle = L.circle(at, {radius: collection.centre.radius_m, color: "#b2182b", weight: 1.5, fill: false, interactive: false}).addTo(map);
        L.circleMarker(at, {radius: 5, color: "#b2182b", fillOpacity: 1}).bindTooltip("Your postcode").addTo(map);
        map.fitBounds(circle.getBounds(), {padding: [10, 10]});
      } else if (collection.features.length) {
        map.fitBounds(clusters.getBounds(), {padding: [20, 20], maxZoom: 16});
      }
      box.dataset.ready = "true";
      box.dataset.features = String(collection.features.length);
    })
    .catch(error => { box.insertAdjacentHTML("afterend", `<p class="error">Could not load the map: ${M.escapeHtml(error.message)}</p>`); });
})();
