"use strict";
// An asset's page: its position on a small map.
(function () {
  const box = document.getElementById("asset-point");
  if (!box) return;
  const map = window.Mobilise.baseMap(box, {scrollWheelZoom: false});
  const at = [Number(box.dataset.lat), Number(box.dataset.lon)];
  L.circleMarker(at, {radius: 9, color: "#0b5cad", fillOpacity: 0.8})
    .bindTooltip(document.querySelector("h1").textContent, {permanent: true, direction: "top", offset: [0, -8]}).addTo(map);
  map.setView(at, 15);
})();

// Directions open the visitor's own map app: on a phone the page's geo: URI (RFC 5870), which
// Android hands to the map app chosen; on an iPhone, which has no geo: handler, Apple Maps; on
// other devices OpenStreetMap's directions page (the link as the server wrote it).
(function () {
  const link = document.getElementById("directions");
  if (!link || !link.dataset.geo) return;
  const phone = window.matchMedia("(pointer: coarse)").matches;
  if (!phone) return;
  if (/iPhone|iPad|iPod/.test(navigator.userAgent)) {
    const at = link.dataset.geo.slice(4).split("?")[0];
    link.href = "https://maps.apple.com/?daddr=" + encodeURIComponent(at);
  } else {
    link.href = link.dataset.geo;
  }
})();
