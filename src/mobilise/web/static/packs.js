// A pack being made: follow it and show the page again once it is ready (or has failed).
"use strict";
(function () {
  const state = document.getElementById("pack-state");
  if (!state || !["queued", "running"].includes(state.dataset.status)) return;
  const step = document.getElementById("pack-step");
  const url = `/api/v1/packs/${encodeURIComponent(state.dataset.pack)}`;
  let wait = 500;
  async function check() {
    try {
      const response = await fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (response.ok) {
        const pack = await response.json();
        if (pack.status === "done" || pack.status === "failed") { window.location.reload(); return; }
        if (step) step.textContent = `(${pack.status})`;
      }
    } catch (error) { /* the server may be restarting: try again */ }
    wait = Math.min(wait * 1.5, 3000);
    window.setTimeout(check, wait);
  }
  window.setTimeout(check, wait);
})();
