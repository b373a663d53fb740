// Engagement events: the print buttons of the printable sheets (the pages work without it).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
