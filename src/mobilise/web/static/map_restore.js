// The list of systems maps: bringing back a deleted map (for editors).
"use strict";
(function () {
  const list = document.getElementById("deleted-maps");
  if (!list) return;
  list.querySelectorAll("[data-restore-map]").forEach(button => button.addEventListener("click", async () => {
    const id = button.dataset.restoreMap;
    const response = await fetch(`/api/v1/maps/${encodeURIComponent(id)}/restore`, {method: "POST", headers: {"Content-Type": "application/json"}});
    if (!response.ok) {
      const answer = await response.json().catch(() => null);
      document.getElementById("restore-error").textContent = answer && answer.error ? answer.error.message : `Could not restore the map (${response.status}).`;
      return;
    }
    window.location.href = "/maps/" + encodeURIComponent(id);
  }));
})();
