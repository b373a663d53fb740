// The roster survey: show the follow-up questions, count progress, find partners, save and submit.
// No libraries; the page is rendered by the server with any saved answers already filled in, and
// works without this script too (a plain form post); with it, answers are saved without leaving.
"use strict";
(function () {
  const form = document.getElementById("survey");
  if (!form) return;
  document.documentElement.classList.add("js");
  const token = form.dataset.token;
  const total = Number(form.dataset.total);
  const statusLine = document.getElementById("status");
  const partners = Array.from(form.querySelectorAll("fieldset[data-partner]"));
  const ITEMS = ["frequency", "level", "value_influence", "value_involvement", "value_resources",
                 "trust_reliability", "trust_purpose", "trust_openness"];

  function chosen(name) {
    const input = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
    return input ? input.value : null;
  }

  function works(fieldset) {
    const value = chosen(fieldset.dataset.partner + ".works_together");
    return value === null ? null : value === "yes";
  }

  function showMore(fieldset) {
    fieldset.querySelector(".more").hidden = works(fieldset) !== true;
  }

  function updateProgress() {
    let answered = 0;
    const bySector = {};
    for (const fieldset of partners) {
      const group = fieldset.closest("details").dataset.sector;
      bySector[group] = bySector[group] || [0, 0];
      bySector[group][1] += 1;
      if (works(fieldset) !== null) {
        answered += 1;
        bySector[group][0] += 1;
      }
    }
    document.getElementById("progress").value = answered;
    document.getElementById("progress-text").textContent = `${answered} of ${total} partners answered`;
    for (const [code, [done, all]] of Object.entries(bySector)) {
      const badge = form.querySelector(`[data-count-for="${CSS.escape(code)}"]`);
      badge.textContent = `${done} of ${all} answered`;
      badge.classList.toggle("done", done === all);
    }
  }

  function body(submit) {
    const answers = {};
    for (const fieldset of partners) {
      const id = fieldset.dataset.partner;
      const together = works(fieldset);
      if (together === null) continue;
      const answer = {works_together: together};
      if (together) {
        for (const item of ITEMS) {
          const value = chosen(`${id}.${item}`);
          if (value) answer[item] = Number(value);
        }
      }
      answers[id] = answer;
    }
    const ticked = name => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), i => i.value);
    return {answers, contributions: ticked("contributions"), achievements: ticked("achievements"),
            comment: form.elements.comment.value, submit};
  }

  function clearProblems() {
    for (const p of form.querySelectorAll(".problem")) p.textContent = "";
    for (const q of form.querySelectorAll(".needs-answer")) q.classList.remove("needs-answer");
  }

  function showProblems(problems) {
    const general = [];
    for (const problem of problems) {
      const [id, question] = (problem.field || "").split(".");
      const fieldset = document.getElementById("partner-" + id) ||
        form.querySelector(`fieldset[data-question="${CSS.escape(id)}"]`);
      if (!fieldset) { general.push(problem.message); continue; }
      const details = fieldset.closest("details");
      if (details) details.open = true;
      let target = question ? fieldset.querySelector(`[data-question="${CSS.escape(question)}"]`) : null;
      if (target && target.closest(".more") && target.closest(".more").hidden) target = null;
      const where = (target || fieldset).querySelector(".problem");
      where.textContent = where.textContent ? where.textContent + " " + problem.message : problem.message;
      (target || fieldset).classList.add("needs-answer");
    }
    const first = form.querySelector(".needs-answer");  // the first on the page, not in the list
    if (first) first.scrollIntoView({block: "center"});
    return general;
  }

  async function send(submit) {
    clearProblems();
    statusLine.className = "bar-status";
    statusLine.textContent = submit ? "Sending your answers…" : "Saving…";
    let response;
    try {
      response = await fetch(`/api/v1/survey/${encodeURIComponent(token)}`, {
        method: "PUT", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body(submit)),
      });
    } catch (error) {
      statusLine.className = "bar-status bad";
      statusLine.textContent = "Could not reach the server: check your connection and try again. Nothing is lost while this page stays open.";
      return;
    }
    if (response.ok) {
      if (submit) { window.location.assign("/survey/done"); return; }
      statusLine.className = "bar-status good";
      statusLine.textContent = "Saved. Open the same link again to carry on where you left off.";
      return;
    }
    const answer = await response.json().catch(() => ({error: {message: "Something went wrong.", problems: []}}));
    if (response.status === 409 || response.status === 404) {
      statusLine.className = "bar-status bad";
      statusLine.textContent = answer.error.message;
      return;
    }
    const general = showProblems(answer.error.problems || []);
    statusLine.className = "bar-status bad";
    const count = (answer.error.problems || []).length;
    statusLine.textContent = (count === 1 ? "One answer needs" : `${count} answers need`) +
      " another look: see the messages in red." + (general.length ? " " + general.join(" ") : "");
  }

  form.addEventListener("change", event => {
    const fieldset = event.target.closest("fieldset[data-partner]");
    if (!fieldset) return;
    if (event.target.name.endsWith(".works_together")) {
      showMore(fieldset);
      updateProgress();
    }
    const question = event.target.closest(".question");
    if (question && question.classList.contains("needs-answer")) {
      question.classList.remove("needs-answer");
      question.querySelector(".problem").textContent = "";
    }
  });

  const search = document.getElementById("find-partner");
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase();
    let shown = 0;
    for (const details of form.querySelectorAll("details.sector-group")) {
      let inGroup = 0;
      for (const fieldset of details.querySelectorAll("fieldset[data-partner]")) {
        const match = !words || fieldset.dataset.name.includes(words);
        fieldset.hidden = !match;
        inGroup += match ? 1 : 0;
      }
      details.hidden = inGroup === 0;
      if (words && inGroup) details.open = true;
      shown += inGroup;
    }
    document.getElementById("find-none").hidden = shown > 0;
  });
  search.addEventListener("keydown", event => {  // Enter searches; it does not press "Save"
    if (event.key === "Enter") event.preventDefault();
  });
  form.addEventListener("submit", event => event.preventDefault());
  document.getElementById("save").addEventListener("click", () => send(false));
  document.getElementById("submit").addEventListener("click", () => send(true));
  partners.forEach(showMore);
  updateProgress();
  // A person has the survey open (a mail program's link preview fetches the page, runs no script)
  fetch(`/api/v1/survey/${encodeURIComponent(token)}/opened`, {method: "POST"}).catch(() => {});
})();
