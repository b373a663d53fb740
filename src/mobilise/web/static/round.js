// A survey round's page: status, invitation links, roster and imported answers (editors).
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("round-data").textContent);
  const roundId = data.id;
  const base = "/api/v1/rounds/" + encodeURIComponent(roundId);
  const notInvited = data.not_invited;
  const {call, describe} = window.Mobilise;
  for (const button of document.querySelectorAll("#status-controls button")) {
    button.addEventListener("click", async () => {
      const controls = document.getElementById("status-controls");
      const result = await call("PATCH", base, {version: Number(controls.dataset.version), status: button.dataset.status});
      if (!result.ok) { document.getElementById("status-error").textContent = describe(result.answer.error); return; }
      window.location.reload();
    });
  }
  async function copy(text, button) {
    try { await navigator.clipboard.writeText(text); }
    catch (error) {
      const scratch = document.createElement("textarea");
      scratch.value = text; document.body.append(scratch); scratch.select();
      document.execCommand("copy"); scratch.remove();
    }
    const before = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = before; }, 1500);
  }
  let issuedText = "";
  document.getElementById("invite").addEventListener("submit", async event => {
    event.preventDefault();
    const who = new FormData(event.target).get("who");
    const body = who === "all" ? {} : {partners: who === "not-invited" ? notInvited : [who]};
    const error = document.getElementById("invite-error");
    error.textContent = "";
    if (who === "not-invited" && !notInvited.length) { error.textContent = "Everyone on the roster has a link already."; return; }
    const result = await call("POST", base + "/invitations", body);
    if (!result.ok) { error.textContent = describe(result.answer.error); return; }
    const list = document.getElementById("links-list");
    list.textContent = "";
    issuedText = result.answer.map(i => `${i.partner_name}: ${i.url}`).join("\n");
    for (const invitation of result.answer) {
      const item = document.createElement("li");
      const label = document.createElement("label");
      label.textContent = invitation.partner_name;
      const field = document.createElement("input");
      field.readOnly = true; field.value = invitation.url;
      field.setAttribute("aria-label", "Link for " + invitation.partner_name);
      field.addEventListener("focus", () => field.select());
      const button = document.createElement("button");
      button.type = "button"; button.textContent = "Copy";
      button.addEventListener("click", () => copy(invitation.url, button));
      item.append(label, button, field);
      list.append(item);
    }
    document.getElementById("links-note").textContent = result.answer.length
      ? `${result.answer.length} new links. Copy them now: they will not be shown again. Reload the page to see who is invited.`
      : "No new links: everyone chosen has submitted already.";
    document.getElementById("links").hidden = false;
  });
  document.getElementById("copy-all").addEventListener("click", event => copy(issuedText, event.target));
  document.getElementById("roster").addEventListener("submit", async event => {
    event.preventDefault();
    const partners = new FormData(event.target).getAll("partners");
    const result = await call("PUT", base + "/roster", {partners});
    const out = document.getElementById("roster-result");
    out.className = result.ok ? "ok" : "error";
    out.textContent = result.ok ? `Saved: ${result.answer.roster} partners.` : describe(result.answer.error);
  });
  document.getElementById("import-ties").addEventListener("submit", async event => {
    event.preventDefault();
    const out = document.getElementById("import-result");
    out.className = ""; out.textContent = "Importing…";
    const submitted = await call("POST", base + "/import", new FormData(event.target));
    const result = await window.Mobilise.follow(submitted, job => { out.textContent = "Importing: " + window.Mobilise.progressWords(job); });
    out.className = result.ok ? "ok" : "error";
    out.textContent = result.ok
      ? `${result.answer.file}: ${result.answer.links} answers imported; ${result.answer.created} new partners. ${result.answer.notes.join("; ")}`
      : describe(result.answer.error) + (/nothing was imported/i.test(result.answer.error.message) ? "" : " Nothing was imported.");
  });
})();
