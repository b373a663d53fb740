// A partner's details, membership and representatives, kept by editors from its profile page.
// Each form sends JSON to /api/v1/partners/{id}/...; problems are listed by field, and the page
// reloads to show what was saved.
"use strict";
(function () {
  const section = document.getElementById("manage");
  if (!section) return;
  const base = `/api/v1/partners/${encodeURIComponent(section.dataset.partner)}`;

  function show(where, message, problems, good) {
    const out = document.getElementById(where);
    out.textContent = "";
    const line = document.createElement("p");
    line.className = good ? "ok" : "error";
    line.textContent = message;
    out.append(line);
    if (problems && problems.length) {
      const list = document.createElement("ul");
      for (const p of problems) {
        const item = document.createElement("li");
        item.textContent = (p.field ? p.field + ": " : "") + p.message;
        list.append(item);
      }
      out.append(list);
    }
  }

  async function send(method, url, body, where) {
    let response;
    try {
      response = await fetch(url, {
        method, headers: {"Content-Type": "application/json"},
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      show(where, "Could not reach the server: check your connection and try again.");
      return false;
    }
    if (response.ok) return true;
    const answer = await response.json().catch(() => ({error: {message: "Something went wrong.", problems: []}}));
    const stale = response.status === 409 ? " Reload the page to see the latest version." : "";
    show(where, answer.error.message + stale, answer.error.problems);
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
