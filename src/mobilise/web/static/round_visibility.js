// A survey round's page: who may see its measures (group, consortium or link); "link" makes a
// share link (the page then shows it) that opens the round's measures to anyone who has it.
"use strict";
(function () {
  const form = document.getElementById("round-visibility");
  if (!form) return;
  const {call, describe} = window.Mobilise;
  const base = "/api/v1/rounds/" + encodeURIComponent(form.dataset.round);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const visibility = new FormData(form).get("visibility");
    const result = visibility === "link"
      ? await call("POST", base + "/share")
      : await call("PATCH", base, {version: Number(form.dataset.version), visibility});
    if (!result.ok) {
      document.getElementById("visibility-error").textContent = describe(result.answer.error);
      return;
    }
    window.location.reload();  // the page's other forms carry the round's new version
  });
})();
