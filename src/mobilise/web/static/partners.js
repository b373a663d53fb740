// The partners page: adding a partner and importing a partner list (for editors).
"use strict";
(function () {
  const {call, follow, problemList, progressWords} = window.Mobilise;
  document.getElementById("new-partner").addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {name: form.get("name"), sector: form.get("sector"), kind: form.get("kind"),
                  places: form.getAll("places"), description: form.get("description"), postcode: form.get("postcode")};
    const result = await call("POST", "/api/v1/partners", body);
    const out = document.getElementById("new-partner-error");
    if (!result.ok) { out.textContent = result.answer.error.message; out.append(problemList(result.answer.error)); return; }
    window.location.reload();
  });
  document.getElementById("import-partners").addEventListener("submit", async event => {
    event.preventDefault();
    const out = document.getElementById("import-result");
    out.textContent = "Importing…";
    const submitted = await call("POST", "/api/v1/partners/import", new FormData(event.target));
    const result = await follow(submitted, job => { out.textContent = "Importing: " + progressWords(job); });
    const answer = result.answer;
    out.textContent = "";
    const message = document.createElement("p");
    if (!result.ok) {
      message.className = "error"; message.textContent = answer.error.message + (/nothing was imported/i.test(answer.error.message) ? "" : " Nothing was imported.");
      out.append(message, problemList(answer.error));
      return;
    }
    message.className = "ok";
    message.textContent = `${answer.file}: ${answer.created} added, ${answer.updated} updated, ${answer.unchanged} unchanged. Reload the page to see them.`;
    out.append(message);
  });
})();
