// A partner's details, membership and representatives, kept by editors from its profile page.
// Each form sends JSON to /api/v1/partners/{id}/... (Mobilise.call, mobilise-api.js); problems
// are listed by field, and the page reloads to show what was saved.
"use strict";
(function () {
  const section = document.getElementById("manage");
  if (!section) return;
  const base = `/api/v1/partners/${encodeURIComponent(section.dataset.partner)}`;

  const {call, problemList} = window.Mobilise;

  // Send a change; true when it was made, else the error (and a stale version's hint) shown.
  async function send(method, url, body, where) {
    const result = await call(method, url, body);
    if (result.ok) return true;
    const out = document.getElementById(where);
    const line = document.createElement("p");
    line.className = "error";
    const stale = result.status === 409 ? " Reload the page to see the latest version." : "";
    line.textContent = result.answer.error.message + stale;
    out.replaceChildren(line, problemList(result.answer.error));
    return false;
  }

  document.getElementById("edit-partner").addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const lines = text => text.split("\n").map(s => s.trim()).filter(Boolean);
    const body = {
      version: Number(section.dataset.version),
      name: form.get("name"), sector: form.get("sector"), kind: form.get("kind"),
      places: form.getAll("places"), populations: lines(form.get("populations")),
      description: form.get("description"), postcode: form.get("postcode"), url: form.get("url"),
    };
    if (await send("PATCH", base, body, "edit-result")) window.location.reload();
  });

  const membership = document.getElementById("membership");
  membership.addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {on: form.get("on") || null, note: form.get("note")};
    if (await send("POST", `${base}/${membership.dataset.action}`, body, "membership-result")) {
      window.location.reload();
    }
  });

  document.getElementById("new-contact").addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {name: form.get("name"), role: form.get("role"), email: form.get("email")};
    if (await send("POST", `${base}/contacts`, body, "contact-result")) window.location.reload();
  });

  section.addEventListener("click", async event => {
    const button = event.target.closest("[data-remove-contact]");
    if (!button) return;
    if (!window.confirm("Remove this representative? Their name and e-mail are erased.")) return;
    const url = `${base}/contacts/${encodeURIComponent(button.dataset.removeContact)}`;
    if (await send("DELETE", url, undefined, "contact-result")) window.location.reload();
  });
})();
