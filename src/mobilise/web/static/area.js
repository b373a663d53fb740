// The area profile: the neighbourhood's outline on a small map.
"use strict";
(function () {
  const geometry = JSON.parse(document.getElementById("area-geometry").textContent);
  const map = window.Mobilise.baseMap(document.getElementById("area-map"), {scrollWheelZoom: false});
  const shape = L.geoJSON(geometry, {style: {color: "#0b5cad", weight: 2, fillOpacity: 0.15}}).addTo(map);
  map.fitBounds(shape.getBounds(), {padding: [20, 20]});
})();
