// The list of systems maps: starting a new map (for those who may).
"use strict";
document.getElementById("new-map").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {title: form.get("title"), question: form.get("question"), place: form.get("place") || null, visibility: form.get("visibility") || "consortium"};
  const response = await fetch("/api/v1/maps", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const answer = await response.json();
  if (!response.ok) {
    document.getElementById("new-map-error").textContent = answer.error.message + " " + answer.error.problems.map(p => p.message).join("; ");
    return;
  }
  window.location.href = "/maps/" + answer.id;
});
