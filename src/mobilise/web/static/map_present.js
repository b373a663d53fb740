// Presentation mode for a share screen (a part of map_editor.js): the map fills the screen
// (the Fullscreen API, where the browser allows it), the type is large, and the arrow keys
// step through the feedback loops one by one, each shown alone with its polarity in words.
"use strict";
(window.MobiliseMapParts = window.MobiliseMapParts || []).push(function presentPart(editor) {
  const {cy, $, look} = editor;
  const button = $("present");
  const bar = $("present-bar");
  if (!button || !bar) return;
  const panel = editor.root.querySelector(".map-canvas-panel");
  const MEANING = {
    reinforcing: "a reinforcing loop: each change feeds itself, round and round (a virtuous or a vicious circle)",
    balancing: "a balancing loop: it pushes back against change and holds things steady",
  };
  let presenting = false;
  let step = 0;  // 0: the whole map; k: the k-th loop

  function show() {
    const loops = editor.loops();
    step = ((step % (loops.length + 1)) + loops.length + 1) % (loops.length + 1);
    const title = $("present-title"), words = $("present-words");
    if (step === 0) {
      editor.clearHighlight();
      editor.fitView(undefined, 40, 0, 2.5);
      title.textContent = "The whole map";
      words.textContent = loops.length
        ? `${loops.length} feedback loop${loops.length === 1 ? "" : "s"}: press → to step through them.`
        : "No feedback loops on this map yet.";
      return;
    }
    const loop = loops[step - 1];
    const shown = editor.highlight(loop.factors, loop.links, null);
    editor.fitView(shown, 80, 0, 2.5);
    title.textContent = `Loop ${step} of ${loops.length}: ${loop.kind}`;
    const meaning = MEANING[loop.kind] || "a loop whose direction is not known (one of its links is “?”)";
    words.textContent = `${loop.labels.join(" → ")} → ${loop.labels[0]}. This is ${meaning}.`;
    bar.dataset.kind = loop.kind;
  }

  function enter() {
    presenting = true;
    panel.classList.add("presenting");
    document.body.classList.add("presenting-map");
    bar.hidden = false;
    button.setAttribute("aria-pressed", "true");
    if (panel.requestFullscreen) panel.requestFullscreen().catch(() => { /* the page fills the window instead */ });
    look.setPresenting(true);
    cy.resize();
    step = 0;
    show();
    $("present-next").focus();
  }

  function leave() {
    if (!presenting) return;
    presenting = false;
    panel.classList.remove("presenting");
    document.body.classList.remove("presenting-map");
    bar.hidden = true;
    button.setAttribute("aria-pressed", "false");
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    look.setPresenting(false);
    cy.resize();
    editor.clearHighlight();
    editor.fitView();
    button.focus();
  }

  button.addEventListener("click", () => (presenting ? leave() : enter()));
  $("present-next").addEventListener("click", () => { step += 1; show(); });
  $("present-previous").addEventListener("click", () => { step -= 1; show(); });
  $("present-leave").addEventListener("click", leave);
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) leave(); });
  document.addEventListener("keydown", event => {
    if (!presenting) return;
    const keys = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    if (event.key in keys) { event.preventDefault(); step += keys[event.key]; show(); }
    else if (event.key === "Home") { event.preventDefault(); step = 0; show(); }
    else if (event.key === "Escape") leave();
  });
  editor.on("analysis", () => { if (presenting) show(); });
});
