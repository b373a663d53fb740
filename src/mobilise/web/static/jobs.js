// Following a background job. Imports and runs answer 202 with their job at once; follow()
// polls the job's outcome, reports its step and progress while it runs, and resolves to what
// the request stands for, in the shape of Mobilise.call: {ok, status, answer} (the import's
// summary, or its error naming file, row and field). A dropped connection is tried again: the
// job goes on on the server whether or not this page is watching.
"use strict";
window.Mobilise = Object.assign(window.Mobilise || {}, (function () {
  const sleep = ms => new Promise(resolve => window.setTimeout(resolve, ms));

  async function follow(result, onProgress) {
    if (result.status !== 202 || !result.answer || !result.answer.id) return result;
    const url = `/api/v1/jobs/${encodeURIComponent(result.answer.id)}/outcome`;
    let job = result.answer;
    let wait = 250;
    for (;;) {
      if (onProgress) onProgress(job);
      await sleep(wait);
      wait = Math.min(wait * 1.5, 2000);
      const answer = await window.Mobilise.call("GET", url);
      if (answer.status === 0) { job = Object.assign({}, job, {step: "Reconnecting to the server…"}); continue; }
      if (answer.status !== 202) return answer;
      job = answer.answer;
    }
  }

  // A job's step and progress in words: "Writing ahead: 8,000 of 20,000 rows (40%)".
  const progressWords = job => `${job.step} (${Math.round(job.progress * 100)}%)`;

  return {follow, progressWords};
})());
