// Undo and redo of one's own changes (a part of map_editor.js): adding, changing, moving,
// deleting and restoring factors and links. Each undo is itself a change through the API, so
// everyone else's page follows it: undoing an addition deletes it, undoing a deletion
// restores it, undoing a change sends the values from before.
//
// Only one's own: an undo names the version one's own last change left. When someone else
// has changed the factor or link since, the server refuses (409) and the page says so,
// rather than overwrite their change.
"use strict";
(window.MobiliseMapParts = window.MobiliseMapParts || []).push(function undoPart(editor) {
  const {$, edits} = editor;
  const undoButton = $("undo"), redoButton = $("redo");
  if (!undoButton || !redoButton) return;
  const status = $("undo-status");
  const done = [], undone = [];
  const MOST = 100;
  const ownVersion = new Map();  // id -> the version one's own last change left
  let busy = false;

  function name(step) {
    const item = step.after && step.after.label !== undefined ? step.after : step.before || {};
    if (step.type === "factor") return `the factor “${item.label || (editor.factors.get(step.id) || {}).label || "?"}”`;
    const link = editor.links.get(step.id) || step.after || step.before || {};
    const end = id => (editor.factors.get(id) || {label: "?"}).label;
    return link.source_id ? `the link ${end(link.source_id)} → ${end(link.target_id)}` : "a link";
  }

  function describe(step) {
    const moved = step.kind === "update" && Object.keys(step.body).every(k => k === "x" || k === "y");
    const verb = {add: "adding", delete: "deleting", restore: "restoring", update: moved ? "moving" : "changing"}[step.kind];
    return `${verb} ${name(step)}`;
  }

  function remember(result) {
    if (result && result.id && result.version !== undefined) ownVersion.set(result.id, result.version);
    (result && result.links || []).forEach(k => { if (k.version !== undefined) ownVersion.set(k.id, k.version); });
  }

  function show() {
    undoButton.disabled = busy || !done.length;
    redoButton.disabled = busy || !undone.length;
    undoButton.title = done.length ? `Undo ${describe(done[done.length - 1])} (Ctrl+Z)` : "Nothing of yours to undo";
    redoButton.title = undone.length ? `Redo ${describe(undone[undone.length - 1])} (Ctrl+Shift+Z)` : "Nothing to redo";
  }

  editor.on("own", step => {
    const before = step.before || {};
    const kept = {...step};
    if (step.kind === "update") {  // what the change replaced, field by field
      kept.body = {...step.body};
      kept.previous = Object.fromEntries(Object.keys(step.body).map(k => [k, before[k] ?? null]));
      if (step.type === "link" && "weight" in step.body) kept.previous.polarity = before.polarity;
    }
    remember(step.after);
    done.push(kept);
    if (done.length > MOST) done.shift();
    undone.length = 0;
    show();
  });

  // Run one step backwards or forwards through the API.
  function run(step, backwards) {
    const version = ownVersion.get(step.id);
    const removing = backwards ? step.kind === "add" || step.kind === "restore" : step.kind === "delete";
    const bringing = backwards ? step.kind === "delete" : step.kind === "add" || step.kind === "restore";
    if (removing) return edits.remove(step.type, step.id, version);
    if (bringing) return edits.restore(step.type, step.id);
    return edits.update(step.type, step.id, version, backwards ? step.previous : step.body);
  }

  async function move(from, to, backwards) {
    if (busy || !from.length) return;
    const step = from.pop();
    busy = true;
    show();
    try {
      remember(await run(step, backwards));
      to.push(step);
      status.textContent = `${backwards ? "Undone" : "Redone"}: ${describe(step)}.`;
    } catch (error) {
      status.textContent = error.status === 409 || error.status === 404
        ? `Could not ${backwards ? "undo" : "redo"} ${describe(step)}: someone else has changed it since.`
        : `Could not ${backwards ? "undo" : "redo"} ${describe(step)}: ${error.message}`;
    } finally {
      busy = false;
      show();
    }
  }

  const undo = () => move(done, undone, true);
  const redo = () => move(undone, done, false);
  undoButton.addEventListener("click", undo);
  redoButton.addEventListener("click", redo);
  document.addEventListener("keydown", event => {
    const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if (typing || !(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) { event.preventDefault(); undo(); }
    else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); redo(); }
  });
  show();
});
