// Drawing a link by dragging from one factor to another, then choosing its sign as it is
// dropped (a part of map_editor.js). Made with Cytoscape's own tap events: in "draw links"
// mode, pressing on a factor starts a dashed line that follows the pointer (mouse, pen or
// finger); letting go on another factor asks + / − / ?. Tapping one factor and then another
// does the same, for those who cannot drag. The "New link" form stays for keyboards.
"use strict";
(window.MobiliseMapParts = window.MobiliseMapParts || []).push(function drawPart(editor) {
  const {cy, $} = editor;
  const button = $("draw-links");
  const chooser = $("sign-chooser");
  if (!button || !chooser) return;
  const status = $("draw-status");
  const GHOST = "draw-ghost", GHOST_LINK = "draw-ghost-link";
  const MOVED_PX = 6;  // a press that moves less than this is a tap
  let source = null;  // the factor a drag (or the first tap) started from
  let pressedAt = null;
  let over = null;  // the factor under the pointer
  let pending = null;  // {from, to} waiting for a sign

  function say(text) { status.textContent = text; }
  const label = node => node.data("label");

  function setMode(on) {
    editor.drawing = on;
    button.setAttribute("aria-pressed", String(on));
    editor.root.classList.toggle("drawing", on);
    cy.autoungrabify(on || !editor.me());
    cancel();
    say(on ? "Drawing links: drag from a factor to the factor it affects (or tap one, then the other)." : "");
  }

  function factorAt(position) {
    return cy.nodes().filter(n => {
      if (n.hasClass("ghost")) return false;
      const b = n.boundingBox({includeLabels: false});
      return position.x >= b.x1 && position.x <= b.x2 && position.y >= b.y1 && position.y <= b.y2;
    }).first();
  }

  function clearGhost() {
    cy.remove(cy.getElementById(GHOST_LINK).union(cy.getElementById(GHOST)));
    cy.nodes().removeClass("drop-target");
  }

  function cancel() {
    clearGhost();
    if (source) source.removeClass("drop-target");
    source = null; pressedAt = null; over = null;
  }

  cy.on("tapstart", "node", event => {
    if (!editor.drawing || event.target.hasClass("ghost")) return;
    pressedAt = event.renderedPosition;
    cy.userPanningEnabled(false);  // the drag draws; it does not move the view
    if (!source) source = event.target;
  });

  cy.on("tapdrag", event => {
    if (!editor.drawing || !source || !pressedAt) return;
    const moved = Math.hypot(event.renderedPosition.x - pressedAt.x, event.renderedPosition.y - pressedAt.y);
    if (cy.getElementById(GHOST).empty()) {
      if (moved < MOVED_PX) return;
      cy.add({group: "nodes", data: {id: GHOST}, classes: "ghost", position: {...event.position}});
      cy.add({group: "edges", data: {id: GHOST_LINK, source: source.id(), target: GHOST, polarity: "?"}, classes: "ghost"});
    }
    cy.getElementById(GHOST).position({...event.position});
    const now = factorAt(event.position);
    if (over && (!now.nonempty() || now.id() !== over.id())) over.removeClass("drop-target");
    over = now.nonempty() && now.id() !== source.id() ? now.addClass("drop-target") : null;
  });

  cy.on("tapend", event => {
    if (!editor.drawing || !source) return;
    cy.userPanningEnabled(true);
    const dragged = cy.getElementById(GHOST).nonempty();
    const target = factorAt(event.position);
    pressedAt = null;
    clearGhost();
    if (!dragged) {  // a tap: the first names where the link starts, the second where it ends
      if (target.nonempty() && target.id() !== source.id()) return choose(source, target, event.renderedPosition);
      source.addClass("drop-target");
      return say(`From “${label(source)}”: now tap the factor it affects.`);
    }
    if (target.nonempty() && target.id() !== source.id()) choose(source, target, event.renderedPosition);
    else { say("Let go on another factor to draw a link."); cancel(); }
  });

  cy.on("tap", event => {  // a tap on the background starts again
    if (editor.drawing && event.target === cy && source && !pressedAt) { cancel(); say("Drawing links: drag from a factor to the factor it affects."); }
  });

  // Ask for the sign where the link was dropped.
  function choose(from, to, at) {
    pending = {from: from.id(), to: to.id()};
    $("sign-question").textContent = `More “${label(from)}” leads to … “${label(to)}”?`;
    const panel = cy.container().getBoundingClientRect();
    chooser.hidden = false;
    const left = Math.max(4, Math.min(at.x, panel.width - chooser.offsetWidth - 4));
    const top = Math.max(4, Math.min(at.y, panel.height - chooser.offsetHeight - 4));
    chooser.style.left = `${left + cy.container().offsetLeft}px`;
    chooser.style.top = `${top + cy.container().offsetTop}px`;
    cancel();
    chooser.scrollIntoView({block: "nearest", inline: "nearest"});
    chooser.querySelector("[data-sign]").focus({preventScroll: true});
  }

  function closeChooser() {
    chooser.hidden = true;
    pending = null;
    if (editor.drawing) button.focus();
  }

  chooser.querySelectorAll("[data-sign]").forEach(choice => choice.addEventListener("click", async () => {
    if (!pending) return;
    const {from, to} = pending;
    closeChooser();
    const made = await editor.addLink(from, to, choice.dataset.sign);
    if (made) say(`Linked “${editor.factors.get(from).label}” → “${editor.factors.get(to).label}” (${editor.look.SIGN[made.polarity]}).`);
  }));
  $("sign-cancel").addEventListener("click", () => { closeChooser(); say("No link drawn."); });
  chooser.addEventListener("keydown", event => { if (event.key === "Escape") { closeChooser(); say("No link drawn."); } });

  button.addEventListener("click", () => setMode(!editor.drawing));
  editor.on("me", me => {  // join first
    button.disabled = !me;
    button.title = me ? "Drag from a factor to the factor it affects" : "Join the map first (under “You”)";
    if (!me && editor.drawing) setMode(false);
  });
});
