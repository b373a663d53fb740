// The survey rounds page: creating a round (for editors).
"use strict";
document.getElementById("new-round").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {name: form.get("name"), date: form.get("date"), description: form.get("description"),
                min_raters: Number(form.get("min_raters")), status: form.get("status")};
  const result = await window.Mobilise.call("POST", "/api/v1/rounds", body);
  if (!result.ok) {
    document.getElementById("new-round-error").textContent = window.Mobilise.describe(result.answer.error);
    return;
  }
  window.location.href = "/rounds/" + result.answer.id;
});
