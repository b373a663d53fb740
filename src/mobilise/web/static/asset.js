"use strict";
// An asset's page: its position on a small map.
(function () {
  const box = document.getElementById("asset-point");
  if (!box) return;
  const map = window.Mobilise.baseMap(box, {scrollWheelZoom: false});
  const at = [Number(box.dataset.lat), Number(box.dataset.lon)];
  L.circleMarker(at, {radius: 9, color: "#0b5cad", fillOpacity: 0.8}).addTo(map);
  map.setView(at, 15);
})();
