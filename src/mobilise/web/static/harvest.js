// A café table's harvest page on a phone with a poor connection: nothing typed is lost.
// The draft (per round) and every note not yet sent live in localStorage; each note has its own
// client_key, so a resend after a reload or a lost answer is kept once (the server answers
// "already stored"). Notes are sent in order, retried when the phone is back online and every
// 20 seconds; the page shows what is sent and what is waiting. Without JavaScript the form posts
// one note at a time.
//
// The phone may be shared: only each note's text, round and key are kept (never the link with
// its token, nor why a note was refused), nothing is kept once every note is sent and no draft
// is left, nothing older than three days is read back, and everything is forgotten when the link
// is refused (403: expired, or the table taken away). A refused note can be tried again or
// discarded.
"use strict";
(() => {
  const form = document.getElementById("note-form");
  if (!form) return;
  const text = document.getElementById("note-text");
  const round = document.getElementById("note-round").value;
  const status = document.getElementById("harvest-status");
  const waitingSection = document.getElementById("waiting-section");
  const waitingList = document.getElementById("waiting");
  const sentList = document.getElementById("sent");
  const storeKey = "mobilise-harvest:" + form.dataset.table;
  const KEPT_MS = 3 * 24 * 3600 * 1000;
  const refused = new Map(); // key -> why; on this page only
  let sending = false;
  let closed = false;

  const load = () => {
    try {
      const found = JSON.parse(localStorage.getItem(storeKey) || "{}");
      if (found.at && Date.now() - found.at > KEPT_MS) return { drafts: {}, queue: [] };
      const queue = (found.queue || []).map((n) => ({ key: n.key, text: n.text, round: n.round }));
      return { drafts: found.drafts || {}, queue };
    } catch (error) {
      return { drafts: {}, queue: [] };
    }
  };
  const state = load();
  const save = () => {
    try {
      if (closed || (!state.queue.length && !Object.keys(state.drafts).length)) {
        localStorage.removeItem(storeKey);
        return;
      }
      const kept = { at: Date.now(), drafts: state.drafts, queue: state.queue };
      localStorage.setItem(storeKey, JSON.stringify(kept));
    } catch (error) {
      status.textContent = "This phone cannot keep notes while offline: send each one now.";
    }
  };
  const newKey = () => {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  const item = (note, words) => {
    const li = document.createElement("li");
    li.textContent = note.text;
    if (words) {
      const span = document.createElement("span");
      span.className = "state";
      span.textContent = words;
      li.appendChild(span);
    }
    return li;
  };
  const button = (label, note, act) => {
    const found = document.createElement("button");
    found.type = "button";
    found.className = "secondary";
    found.textContent = label;
    found.setAttribute("aria-label", label + ": " + note.text.slice(0, 40));
    found.addEventListener("click", () => act(note));
    return found;
  };
  const retry = (note) => {
    refused.delete(note.key);
    render();
    flush();
  };
  const discard = (note) => {
    refused.delete(note.key);
    state.queue = state.queue.filter((other) => other.key !== note.key);
    save();
    render();
  };
  const waitingItem = (note) => {
    const why = refused.get(note.key);
    const li = item(note, why ? "Not sent: " + why : "Waiting (round " + note.round + ")");
    if (why) li.append(button("Try again", note, retry), button("Discard", note, discard));
    return li;
  };
  const render = () => {
    waitingList.replaceChildren(...state.queue.map(waitingItem));
    waitingSection.hidden = state.queue.length === 0;
    const waiting = state.queue.length;
    status.textContent = waiting
      ? waiting + (waiting === 1 ? " note is" : " notes are") + " waiting to be sent."
      : "Every note is sent.";
  };
  const shown = (note, id) => {
    if (note.round !== round || !sentList) return;
    if (id && sentList.querySelector('[data-id="' + CSS.escape(id) + '"]')) return;
    const li = item(note, "");
    if (id) li.dataset.id = id;
    sentList.appendChild(li);
    const nothing = document.getElementById("nothing-yet");
    if (nothing) nothing.remove();
  };
  const forget = (message) => {
    // the link no longer works: nothing of it stays on this (perhaps shared) phone
    closed = true;
    save();
    status.textContent = message + " Nothing is kept on this phone: ask the facilitator.";
  };

  const send = async (note) => {
    const body = new URLSearchParams({ text: note.text, round: note.round, client_key: note.key });
    const answer = await fetch(form.action, {
      method: "POST",
      headers: { Accept: "application/json" },
      body,
      credentials: "same-origin",
    });
    if (answer.ok) {
      const kept = await answer.json();
      return { done: true, id: kept.id };
    }
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
      let message = "refused (" + answer.status + ")";
      try {
        const found = await answer.json();
        message = (found.error && found.error.message) || message;
      } catch (error) {
        // not JSON: keep the status
      }
      return { done: false, refused: message, gone: answer.status === 403 };
    }
    throw new Error("not reachable");
  };
  const flush = async () => {
    if (sending || closed) return;
    sending = true;
    try {
      for (const note of [...state.queue]) {
        if (refused.has(note.key)) continue;
        const result = await send(note);
        if (result.gone) {
          forget(result.refused);
          return;
        }
        if (result.done) {
          state.queue = state.queue.filter((other) => other.key !== note.key);
          shown(note, result.id);
        } else {
          refused.set(note.key, result.refused);
        }
        save();
        render();
      }
    } catch (error) {
      render();
      status.textContent += " No connection now: they are kept on this phone and sent when it is back.";
    } finally {
      sending = false;
    }
  };

  if (!text.value && state.drafts[round]) text.value = state.drafts[round];
  text.addEventListener("input", () => {
    if (text.value) state.drafts[round] = text.value;
    else delete state.drafts[round];
    save();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = text.value.trim();
    if (!words || closed) return;
    state.queue.push({ key: newKey(), text: words, round });
    delete state.drafts[round];
    text.value = "";
    save();
    render();
    text.focus();
    flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  render();
  save(); // what an older page kept (links, reasons) is written back without them
  flush();
})();
