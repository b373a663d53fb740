// Shared helpers of the mobilise pages: calling the JSON API and saying its errors in words.
// Errors always have the shape {"error": {"code", "message", "problems": [{file, row, field, message}]}}.
"use strict";
window.Mobilise = Object.assign(window.Mobilise || {}, (function () {
  const UNREACHABLE = "Could not reach the server: check your connection and try again.";

  // {ok, status, answer}: the answer is the JSON body (null for 204 No Content). A body that is
  // FormData is sent as it is (a file upload), any other as JSON. A network failure is an error
  // answer too, so callers handle one shape.
  async function call(method, url, body) {
    const options = {method};
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers = {"Content-Type": "application/json"};
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      return {ok: false, status: 0, answer: {error: {message: UNREACHABLE, problems: []}}};
    }
    const answer = response.status === 204 ? null : await response.json().catch(
      () => ({error: {message: `Something went wrong (${response.status}).`, problems: []}}));
    return {ok: response.ok, status: response.status, answer};
  }

  // Where a problem is: "file, row 3, field".
  const where = problem => [problem.file, problem.row != null ? "row " + problem.row : null,
                            problem.field].filter(Boolean).join(", ");
  const sentence = problem => (where(problem) ? where(problem) + ": " : "") + problem.message;

  // An error in one line: its message, then each problem.
  function describe(error) {
    return error.message + (error.problems.length ? " " + error.problems.map(sentence).join("; ") : "");
  }

  // An error's problems as a list element (empty when there are none).
  function problemList(error) {
    const list = document.createElement("ul");
    for (const problem of error.problems) {
      const item = document.createElement("li");
      item.textContent = sentence(problem);
      list.append(item);
    }
    return list;
  }

  return {call, describe, problemList};
})());
