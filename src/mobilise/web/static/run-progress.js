// A run in progress (an access or a drivers analysis): follow it through its API, then show it.
// The box (_run_progress.html) names the run's API address and the page to open when it is done.
"use strict";
(function () {
  const box = document.getElementById("progress");
  if (!box || !box.dataset.api) return;
  const bar = document.getElementById("progress-bar");
  const step = document.getElementById("progress-step");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.api);
      const run = await response.json();
      if (!response.ok) throw new Error((run.error && run.error.message) || response.status);
      bar.value = run.progress;
      bar.textContent = Math.round(run.progress * 100) + "%";
      step.textContent = run.step;
      if (run.status === "done" || run.status === "failed") {
        window.location.replace(box.dataset.done || window.location.href);
        return;
      }
    } catch (error) {
      step.textContent = "Could not check the progress: " + error.message + ". Trying again…";
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
})();
