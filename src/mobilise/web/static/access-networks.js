// The street networks page: importing an OpenStreetMap extract (for editors), followed as a job.
"use strict";
(function () {
  const {call, follow, problemList, progressWords} = window.Mobilise;
  const form = document.getElementById("import-network");
  if (!form) return;
  const slug = window.location.pathname.split("/")[2];
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const out = document.getElementById("import-result");
    out.textContent = "Uploading…";
    const submitted = await call("POST", `/api/v1/places/${encodeURIComponent(slug)}/networks`, new FormData(form));
    const result = await follow(submitted, job => { out.textContent = "Building: " + progressWords(job); });
    out.textContent = "";
    const message = document.createElement("p");
    if (!result.ok) {
      message.className = "error";
      message.textContent = result.answer.error.message + " Nothing was stored.";
      out.append(message, problemList(result.answer.error));
      return;
    }
    message.className = "ok";
    message.textContent = "The networks are built. Reload the page to see them.";
    out.append(message);
  });
})();
