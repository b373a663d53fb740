// The systems-map editor: Cytoscape.js drawing, edits through the JSON API, and everyone's
// changes arriving live (server-sent events, numbered by the map's revision).
//
// The parts of the editor in their own files (drawing links by dragging, undo, search and the
// duplicate warning, what-if, presentation, export) are pushed onto window.MobiliseMapParts
// before this script runs; each is called with the `editor` made here.
"use strict";
(function () {
  const root = document.getElementById("map-editor");
  if (!root) return;
  const base = root.dataset.api;
  const canEdit = root.dataset.edit === "true";
  const shared = base.includes("/shared-maps/");
  const choices = JSON.parse(document.getElementById("map-choices").textContent);
  let mapVersion = null;
  const look = window.MobiliseMapLook();
  const {KIND_COLOURS, SIGN} = look;
  const EFFECT_WORDS = {"+": "raises it", "-": "lowers it", "mixed": "pulls both ways", "unknown": "unclear (a link's direction is not known)"};
  const factors = new Map();
  const links = new Map();
  let votes = {};
  const gone = new Set();  // deleted ids: a late answer must not bring them back
  let revision = 0;
  let selected = null;  // {type: "factor"|"link", id}
  let me = null;  // who this user (or browser) takes part as: the server says, in the content
  let loops = [];

  const $ = id => document.getElementById(id);
  const esc = window.Mobilise.escapeHtml;
  const listeners = {};
  const emit = (name, value) => (listeners[name] || []).forEach(fn => fn(value));

  const cy = cytoscape({container: $("cy"), autoungrabify: true, style: look.style()});
  look.attach(cy);
  // Where the drawing is on the page is kept by Cytoscape until the window changes: a press
  // after something above it grew (a message, a wrapped toolbar) would land beside its target.
  cy.container().addEventListener("pointerdown", () => cy.resize(), true);
  look.offer($("text-size"));
  window.mobiliseMap = cy;  // for tests and the browser console

  // -- the model: factors and links, applied idempotently ---------------------------------------
  function newer(known, incoming) {
    return !known || incoming.version >= known.version;
  }

  function upsertFactor(f, restored = false) {
    if (restored) gone.delete(f.id);
    if (gone.has(f.id) || !newer(factors.get(f.id), f)) return;
    factors.set(f.id, f);
    if (selected && selected.id === f.id) refreshSelected();
    const node = cy.getElementById(f.id);
    const data = {id: f.id, label: f.label, kind: f.kind};
    if (node.nonempty()) {
      node.data(data);
      if (f.x !== null && f.y !== null && !node.grabbed()) node.position({x: f.x, y: f.y});
    } else {
      const at = f.x !== null && f.y !== null ? {x: f.x, y: f.y} : freeSpot();
      cy.add({group: "nodes", data, position: at});
    }
    factorsChanged();
  }

  function removeFactor(id, linkIds) {
    gone.add(id);
    (linkIds || []).forEach(removeLink);
    factors.delete(id);
    cy.getElementById(id).remove();
    if (selected && selected.id === id) select(null);
    factorsChanged();
  }

  function upsertLink(k, restored = false) {
    if (restored) gone.delete(k.id);
    if (gone.has(k.id) || !newer(links.get(k.id), k)) return;
    links.set(k.id, k);
    const edge = cy.getElementById(k.id);
    const data = {id: k.id, source: k.source_id, target: k.target_id, polarity: k.polarity,
                  weight: k.weight, delay: k.delay, contested: k.contested};
    if (edge.nonempty() && (edge.data("source") !== k.source_id || edge.data("target") !== k.target_id)) edge.remove();
    if (cy.getElementById(k.id).nonempty()) cy.getElementById(k.id).data(data);
    else cy.add({group: "edges", data});
    if (selected && selected.id === k.id) refreshSelected();
    analysisStale();
  }

  function removeLink(id) {
    gone.add(id);
    links.delete(id);
    cy.getElementById(id).remove();
    if (selected && selected.id === id) select(null);
    analysisStale();
  }

  const upsert = type => (type === "factor" ? upsertFactor : upsertLink);

  function restored(type, answer) {
    upsert(type)(answer, true);
    if (type === "factor") (answer.links || []).forEach(k => upsertLink(k, true));
    deletedStale();
  }

  let loading = false;

  // A place for a new factor: near the middle of the view, clear of the others.
  function freeSpot() {
    const view = cy.extent();
    const cx = (view.x1 + view.x2) / 2, cy_ = (view.y1 + view.y2) / 2;
    if (loading || !isFinite(cx)) return {x: 0, y: 0};
    const w = 12 * look.textPx(), h = 4.5 * look.textPx();
    for (let step = 0; step < 200; step++) {
      const angle = step * 0.9, radius = 2 * look.textPx() * Math.sqrt(step);
      const x = cx + radius * Math.cos(angle) * 1.8, y = cy_ + radius * Math.sin(angle);
      const clear = cy.nodes().every(n => Math.abs(n.position("x") - x) > w || Math.abs(n.position("y") - y) > h);
      if (clear) return {x: Math.round(x), y: Math.round(y)};
    }
    return {x: Math.round(cx), y: Math.round(cy_)};
  }

  // Fit the map (or some of it) to the screen, zoomed out no further than `least` (a big map on
  // a phone is then panned, its labels kept in proportion). Labels grow as the zoom shrinks, so
  // fit twice.
  function fitView(elements, padding = 30, least = 0, most = 1.3) {
    for (let pass = 0; pass < 2; pass++) {
      cy.fit(elements, padding);
      if (cy.zoom() > most || cy.zoom() < least) { cy.zoom(Math.min(most, Math.max(least, cy.zoom()))); cy.center(elements); }
      look.restyle();
    }
  }

  function factorsChanged() {
    const sorted = [...factors.values()].sort((a, b) => a.label.localeCompare(b.label));
    const options = sorted.map(f => `<option value="${esc(f.id)}">${esc(f.label)}</option>`).join("");
    ["link-from", "link-to", "focus-factor", "what-if-factor"].forEach(id => {
      const box = $(id);
      if (!box) return;
      const keep = box.value;
      box.innerHTML = options;
      if (factors.has(keep)) box.value = keep;
    });
    emit("factors", sorted);
    analysisStale();
  }

  // A change as the server numbered it: applied once, in order.
  function apply(event) {
    if (event.revision <= revision) return;
    revision = event.revision;
    const p = event.payload;
    const what = event.entity_type + ":" + event.action;
    if (what === "factor:create" || what === "factor:update") upsertFactor(p);
    else if (what === "factor:delete") removeFactor(p.id, p.links);
    else if (what === "link:create" || what === "link:update") upsertLink(p);
    else if (what === "link:delete") removeLink(p.id);
    else if (what === "factor:restore") restored("factor", p);
    else if (what === "link:restore") restored("link", p);
    else if (what === "visibility:update") showVisibility(p.visibility);
    else if (what === "map:restore") load();
    else if (what === "vote:update") { votes[p.target_id] = {agree: p.agree, disagree: p.disagree}; if (selected && selected.id === p.target_id) showTally(); }
    else if (what === "comment:create" && selected && selected.id === p.target_id) loadComments();
    else if (what === "map:update") { if (p.title) $("map-title").textContent = p.title; if (p.version) mapVersion = p.version; if (p.visibility) showVisibility(p.visibility); }
    else if (what === "map:delete") { $("live").textContent = "This map was deleted."; $("live").className = "live off"; }
    root.dataset.revision = String(revision);
  }

  // -- loading and following ----------------------------------------------------------------------
  async function api(path, options = {}) {
    const response = await fetch(base + path, {headers: {"Content-Type": "application/json"}, ...options});
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const error = new Error(body && body.error ? body.error.message + " " + body.error.problems.map(p => (p.field ? p.field + ": " : "") + p.message).join("; ") : String(response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  async function load() {
    const content = await api("");
    cy.elements().remove();
    factors.clear(); links.clear();
    votes = content.votes || {};
    mapVersion = content.map.version;
    me = content.me || null;
    showMe();
    showVisibility(content.map.visibility);
    content.factors.forEach(f => upsertFactor(f));
    content.links.forEach(k => upsertLink(k));
    revision = content.revision;
    root.dataset.revision = String(revision);
    loading = true;
    const unplaced = cy.nodes().filter(n => { const f = factors.get(n.id()); return f.x === null || f.y === null; });
    if (unplaced.nonempty()) cy.layout({name: "cose", animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 110}).run();
    fitView(undefined, 30, cy.width() < 600 ? 0.8 : 0.45);
    loading = false;
    follow();
    loadAnalysis();
  }

  let source = null;
  function follow() {
    if (source) source.close();
    source = new EventSource(`${base}/stream?after=${revision}`);
    source.addEventListener("change", message => apply(JSON.parse(message.data)));
    source.addEventListener("reset", () => load());
    source.addEventListener("closed", message => {
      source.close();
      $("live").textContent = JSON.parse(message.data).reason + " Changes are no longer shown here.";
      $("live").className = "live off";
    });
    source.onopen = () => { $("live").textContent = "Live: changes by others appear here as they are made"; $("live").className = "live on"; };
    source.onerror = () => { $("live").textContent = "Reconnecting…"; $("live").className = "live off"; };
  }

  // -- editing: every change through the API; one's own are told to the undo part ----------------
  function showError(error) {
    const box = $("edit-error");
    if (box) box.textContent = error ? error.message : "";
    if (error && error.status === 409) load();  // someone else changed it first: show theirs
  }

  async function change(promise, apply) {
    try {
      const answer = await promise;
      if (apply) apply(answer);
      showError(null);
      return answer;
    } catch (error) {
      showError(error);
      return null;
    }
  }

  // The four edits of a factor or link, applied here as soon as the server answers (the
  // stream brings them too, to everyone). They throw the API's error.
  const edits = {
    async add(type, body) {
      const stored = await api(`/${type}s`, {method: "POST", body: JSON.stringify(body)});
      upsert(type)(stored);
      return stored;
    },
    async update(type, id, version, body) {
      const stored = await api(`/${type}s/${id}`, {method: "PATCH", body: JSON.stringify({...body, version})});
      upsert(type)(stored);
      return stored;
    },
    async remove(type, id, version) {
      const answer = await api(`/${type}s/${id}` + (version ? `?version=${version}` : ""), {method: "DELETE"});
      if (type === "factor") removeFactor(id, answer.links); else removeLink(id);
      deletedStale();
      return answer;
    },
    async restore(type, id) {
      const answer = await api(`/${type}s/${encodeURIComponent(id)}/restore`, {method: "POST"});
      restored(type, answer);
      return answer;
    },
  };

  // One's own edit, made from the page: shown, and told to the undo part when it succeeds.
  async function own(kind, type, item, body) {
    const before = item ? {...item} : null;
    let answer;
    if (kind === "add") answer = await change(edits.add(type, body));
    else if (kind === "update") answer = await change(edits.update(type, item.id, item.version, body));
    else if (kind === "delete") answer = await change(edits.remove(type, item.id, item.version));
    else answer = await change(edits.restore(type, item.id));
    if (answer) emit("own", {kind, type, id: answer.id || item.id, before, body, after: answer});
    return answer;
  }

  // Who you take part as: what you add, say and vote is attributed to it by the server. Until
  // you join, the page offers nothing to change: join first.
  function showMe() {
    const box = $("joined");
    if (!box) return;
    box.textContent = me ? `You take part as ${me.pseudonym}${me.stakeholder_group ? " (" + me.stakeholder_group + ")" : ""}.` : "";
    if (me && !$("pseudonym").value) { $("pseudonym").value = me.pseudonym; $("group").value = me.stakeholder_group; }
    $("edit-tools").disabled = !me;
    $("join-first").hidden = Boolean(me);
    cy.autoungrabify(!me);
    root.dataset.joined = me ? "true" : "false";
    emit("me", me);
  }

  // Who may see the map (group, consortium or link), as the map's form shows it.
  function showVisibility(visibility) {
    const box = $("map-visibility-input");
    if (box && visibility) box.value = visibility;
    root.dataset.visibility = visibility || "";
  }

  if (canEdit) {
    $("join").addEventListener("submit", async event => {
      event.preventDefault();
      const form = new FormData(event.target);
      const answer = await change(api("/participants", {method: "POST", body: JSON.stringify(Object.fromEntries(form))}));
      if (answer) { me = answer; showMe(); showSelected(); }
    });
    $("add-factor").addEventListener("submit", async event => {
      event.preventDefault();
      const form = new FormData(event.target);
      if (!editor.mayAdd(form.get("label"))) return;  // a duplicate not yet confirmed
      const spot = freeSpot();
      const body = {label: form.get("label"), kind: form.get("kind"), x: spot.x, y: spot.y};
      if (await own("add", "factor", null, body)) event.target.reset();
    });
    $("add-link").addEventListener("submit", async event => {
      event.preventDefault();
      const form = new FormData(event.target);
      addLink(form.get("source_id"), form.get("target_id"), form.get("polarity"));
    });
    cy.on("dragfree", "node", event => {
      const node = event.target, f = factors.get(node.id());
      if (!f) return;
      const at = node.position();
      own("update", "factor", f, {x: Math.round(at.x), y: Math.round(at.y)});
    });
    $("share").addEventListener("click", async () => {
      const answer = await change(api("/share", {method: "POST"}));
      if (answer) $("share-url").innerHTML = `Read-only link for a workshop screen: <a href="${esc(answer.url)}">${esc(answer.url)}</a>`;
    });
    $("snapshot").addEventListener("click", async () => {
      const label = window.prompt("A name for this version (e.g. After the first workshop)", "");
      if (label === null) return;
      const answer = await change(api("/snapshots", {method: "POST", body: JSON.stringify({label})}));
      if (answer) { $("share-url").textContent = `Saved “${answer.label}” (${answer.factors} factors, ${answer.links} links).`; loadVersions(); }
    });
  }

  function addLink(sourceId, targetId, polarity) {
    const body = {source_id: sourceId, target_id: targetId, polarity};
    if (me && me.stakeholder_group) body.stakeholder_group = me.stakeholder_group;
    return own("add", "link", null, body);
  }

  // -- the selected factor or link ------------------------------------------------------------------
  let unsaved = false;  // the selected item's form has changes not yet saved

  // Someone changed the selected item: show it, unless that would throw away what is typed.
  function refreshSelected() {
    if (!unsaved) { showSelected(); return; }
    const note = $("selected-note");
    if (note) note.textContent = "Someone else changed this meanwhile: saving will be refused; copy your text, then click it again to see theirs.";
  }

  function select(target) {
    unsaved = false;
    selected = target;
    showSelected();
  }

  const editor = {root, cy, look, api, edits, own, addLink, factors, links, canEdit, shared, $, esc, select, fitView,
                  highlight, clearHighlight, on: (name, fn) => (listeners[name] = listeners[name] || []).push(fn),
                  me: () => me, loops: () => loops, drawing: false, mayAdd: () => true};

  cy.on("tap", "node", event => { if (!editor.drawing) select({type: "factor", id: event.target.id()}); });
  cy.on("tap", "edge", event => { if (!editor.drawing) select({type: "link", id: event.target.id()}); });
  cy.on("tap", event => { if (event.target === cy) select(null); });

  function field(name, label, value, kind = "text", options = null) {
    const id = "sel-" + name;
    const disabled = canEdit && me ? "" : " disabled";
    if (options) {
      const opts = options.map(([v, text]) => `<option value="${esc(v)}"${String(v) === String(value ?? "") ? " selected" : ""}>${esc(text)}</option>`).join("");
      return `<label for="${id}">${label}</label><select id="${id}" name="${name}"${disabled}>${opts}</select>`;
    }
    if (kind === "textarea") return `<label for="${id}">${label}</label><textarea id="${id}" name="${name}"${disabled}>${esc(value)}</textarea>`;
    if (kind === "checkbox") return `<label><input type="checkbox" id="${id}" name="${name}"${value ? " checked" : ""}${disabled}> ${label}</label>`;
    return `<label for="${id}">${label}</label><input id="${id}" name="${name}" type="${kind}" value="${esc(value ?? "")}"${kind === "number" ? ' step="0.05"' : ""}${disabled}>`;
  }

  async function showSelected() {
    const box = $("selected");
    if (!selected) { box.innerHTML = '<p class="small muted">Click a factor or a link to see its details.</p>'; return; }
    const item = selected.type === "factor" ? factors.get(selected.id) : links.get(selected.id);
    if (!item) { box.innerHTML = '<p class="small muted">It was deleted.</p>'; return; }
    const editing = canEdit && me;
    let html = '<form id="selected-form" class="stack">';
    if (selected.type === "factor") {
      html += field("label", "Label", item.label) +
        field("kind", "Kind", item.kind, "text", Object.keys(KIND_COLOURS).map(k => [k, k])) +
        field("description", "Description", item.description, "textarea") +
        field("theme", "Theme", item.theme) +
        field("populations", "Who it affects (comma separated)", (item.populations || []).join(", ")) +
        field("indicator_id", "Measured by (an area indicator)", item.indicator_id, "text", [["", "–"], ...choices.indicators]) +
        field("asset_category", "Community assets of the kind", item.asset_category, "text", [["", "–"], ...choices.categories]) +
        measured(item);
    } else {
      const from = factors.get(item.source_id), to = factors.get(item.target_id);
      html += `<p><strong>${esc(from && from.label)}</strong> → <strong>${esc(to && to.label)}</strong></p>` +
        field("polarity", "Direction", item.polarity, "text", [["+", "+ more leads to more"], ["-", "− more leads to less"], ["?", "? not known"]]) +
        field("strength", "Strength", item.strength, "text", [["", "–"], ["weak", "weak"], ["medium", "medium"], ["strong", "strong"]]) +
        field("weight", "Weight (−1 to 1)", item.weight, "number") +
        field("confidence", "Confidence (0 to 1)", item.confidence, "number") +
        field("label", "Label on the link", item.label) +
        field("evidence", "Evidence or source", item.evidence, "textarea") +
        field("stakeholder_group", "Said by (group)", item.stakeholder_group) +
        field("delay", "Takes time (delay)", item.delay, "checkbox") +
        field("contested", "Contested: people disagree", item.contested, "checkbox");
    }
    if (editing) html += '<span><button>Save</button> <button type="button" id="delete-selected" class="textbutton">Delete</button></span>';
    else if (canEdit) html += '<p class="small muted">Join the map (under “You”) to change it.</p>';
    html += '</form><p class="small warn" id="selected-note" role="status"></p><p class="small"><span id="tally"></span>' +
      (editing ? ' <button type="button" class="textbutton" data-vote="1">I agree</button> <button type="button" class="textbutton" data-vote="-1">I disagree</button>' : "") + "</p>" +
      (item.contributor ? `<p class="small muted">Added by ${esc(item.contributor)}${item.contributor_group ? " (" + esc(item.contributor_group) + ")" : ""}.</p>` : "") + '<ul class="comments" id="comments"></ul>';
    if (editing) html += '<form id="comment-form" class="stack"><label for="comment-text">Comment</label><textarea id="comment-text" name="text" required maxlength="4000"></textarea><button>Add comment</button></form>';
    box.innerHTML = html;
    showTally();
    if (editing) {
      wireSelected(item);
      $("selected-form").addEventListener("input", () => { unsaved = true; });
    }
    loadComments();
  }

  function showTally() {
    const tally = (selected && votes[selected.id]) || {agree: 0, disagree: 0};
    const box = $("tally");
    if (box) box.textContent = `Agree ${tally.agree} · Disagree ${tally.disagree}`;
  }

  async function loadComments() {
    const list = $("comments");
    if (!list || !selected || shared) return;
    try {
      const said = await api(`/comments?target_id=${encodeURIComponent(selected.id)}`);
      list.innerHTML = said.map(c => `<li>${esc(c.text)} <span class="small muted">— ${esc(c.pseudonym || "someone")}${c.stakeholder_group ? ", " + esc(c.stakeholder_group) : ""}</span></li>`).join("");
    } catch (error) { /* comments are a nicety */ }
  }

  // Where the measured data a factor is linked to can be seen.
  function measured(item) {
    const place = root.dataset.place;
    let html = "";
    if (item.indicator_id && place) html += `<p class="small"><a href="/places/${encodeURIComponent(place)}?indicator=${encodeURIComponent(item.indicator_id)}">See ${esc(item.indicator_id)} on the map of the place →</a></p>`;
    if (item.asset_category && place) html += `<p class="small"><a href="/places/${encodeURIComponent(place)}/access?category=${encodeURIComponent(item.asset_category)}">Who can reach these assets →</a></p>`;
    return html;
  }

  function wireSelected(item) {
    const type = selected.type;
    $("selected-form").addEventListener("submit", async event => {
      event.preventDefault();
      const body = {};
      for (const input of event.target.elements) {
        if (!input.name) continue;
        if (input.type === "checkbox") body[input.name] = input.checked;
        else if (input.type === "number") body[input.name] = input.value === "" ? null : Number(input.value);
        else if (["strength", "indicator_id", "asset_category"].includes(input.name)) body[input.name] = input.value || null;
        else body[input.name] = input.value;
      }
      if (type === "link" && body.weight !== null && body.weight !== undefined) body.polarity = body.weight > 0 ? "+" : body.weight < 0 ? "-" : "?";
      if (type === "factor") body.populations = String(body.populations || "").split(",").map(p => p.trim()).filter(Boolean);
      unsaved = false;
      await own("update", type, item, body);
    });
    $("delete-selected").addEventListener("click", () => own("delete", type, item));
    document.querySelectorAll("[data-vote]").forEach(button => button.addEventListener("click", () =>
      change(api("/votes", {method: "POST", body: JSON.stringify({target_type: type, target_id: item.id, value: Number(button.dataset.vote)})}))));
    $("comment-form").addEventListener("submit", async event => {
      event.preventDefault();
      const text = new FormData(event.target).get("text");
      if (await change(api("/comments", {method: "POST", body: JSON.stringify({target_type: type, target_id: item.id, text})}))) { event.target.reset(); loadComments(); }
    });
  }

  // -- analyses: loops, leverage, paths, focus ---------------------------------------------------
  let analysisTimer = null;
  function analysisStale() {
    window.clearTimeout(analysisTimer);
    analysisTimer = window.setTimeout(loadAnalysis, 800);
  }

  function clearHighlight() {
    cy.elements().removeClass("faded highlight");
    document.querySelectorAll("#loops li").forEach(li => li.classList.remove("active"));
  }

  function highlight(factorIds, linkIds, item) {
    clearHighlight();
    const keep = cy.collection();
    factorIds.forEach(id => { keep.merge(cy.getElementById(id)); });
    linkIds.forEach(id => { keep.merge(cy.getElementById(id)); });
    cy.elements().not(keep).addClass("faded");
    keep.addClass("highlight");
    if (item) item.classList.add("active");
    return keep;
  }

  async function loadAnalysis() {
    let result;
    try { result = await api("/analysis"); } catch (error) { $("loops").innerHTML = `<li class="error">${esc(error.message)}</li>`; return; }
    loops = result.loops.loops;
    const note = result.loops.truncated ? `<li class="small muted">Only the first ${loops.length} loops are listed (${esc(result.loops.reason)}).</li>` : "";
    $("loops").innerHTML = loops.length ? loops.map((loop, k) =>
      `<li data-loop="${k}"><strong class="${loop.kind === "reinforcing" ? "pos" : loop.kind === "balancing" ? "neg" : "unk"}">${esc(loop.id)} ${esc(loop.kind)}</strong>: ${loop.labels.map(esc).join(" → ")} → ${esc(loop.labels[0])}</li>`).join("") + note
      : '<li class="small muted">No feedback loops yet.</li>';
    document.querySelectorAll("#loops li[data-loop]").forEach(li => li.addEventListener("click", () => {
      const loop = loops[Number(li.dataset.loop)];
      if (li.classList.contains("active")) clearHighlight(); else highlight(loop.factors, loop.links, li);
    }));
    const top = result.central_factors.by_leverage.slice(0, 8);
    $("centrality").innerHTML = top.length ? '<div class="table-scroll"><table class="maps-list small"><thead><tr><th>Factor</th><th class="num">Causes</th><th class="num">Effects</th><th class="num">Leverage</th></tr></thead><tbody>' +
      top.map(r => `<tr><td>${esc(r.label)}</td><td class="num">${r.in_degree}</td><td class="num">${r.out_degree}</td><td class="num">${Number(r.leverage).toFixed(2)}</td></tr>`).join("") + "</tbody></table></div>" : "";
    const effects = result.interventions.effects || [];
    $("paths").innerHTML = effects.length ? "<h3>Interventions and outcomes</h3><ul class='small'>" + effects.map(e =>
      `<li>${esc(e.intervention_label)} → ${esc(e.outcome_label)}: <strong>${esc(EFFECT_WORDS[e.effect] || e.effect)}</strong> (${e.paths} path${e.paths === 1 ? "" : "s"})</li>`).join("") + "</ul>" : '<p class="small muted">Mark factors as interventions and outcomes to see the paths between them.</p>';
    emit("analysis", result);
  }

  $("focus").addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const found = await api(`/submap?focus=${encodeURIComponent(form.get("focus"))}&direction=${form.get("direction")}&steps=${form.get("steps")}`);
      highlight(found.factors, found.links, null);
    } catch (error) { showError(error); }
  });
  $("focus-clear").addEventListener("click", clearHighlight);

  const details = $("map-details");
  if (details) details.addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {version: mapVersion, title: form.get("title"), question: form.get("question"), status: form.get("status"), visibility: form.get("visibility")};
    const answer = await change(api("", {method: "PATCH", body: JSON.stringify(body)}));
    if (answer) {
      mapVersion = answer.version;
      $("map-title").textContent = answer.title;
    }
  });

  async function loadVersions() {
    const list = $("versions");
    if (!list) return;
    try {
      const saved = await api("/snapshots");
      list.innerHTML = saved.length ? saved.map(v => `<li><a href="${esc(base)}/snapshots/${encodeURIComponent(v.id)}">${esc(v.label)}</a> — ${v.factors} factors, ${v.links} links, ${esc(v.created_at.slice(0, 16).replace("T", " "))}</li>`).join("")
        : "<li class='muted'>None yet: “Save a version” keeps the map as it is now.</li>";
    } catch (error) { list.innerHTML = `<li class="error">${esc(error.message)}</li>`; }
  }
  loadVersions();

  // -- what was deleted, for editors to restore -------------------------------------------------
  let deletedTimer = null;
  function deletedStale() {
    window.clearTimeout(deletedTimer);
    deletedTimer = window.setTimeout(loadDeleted, 300);
  }

  async function loadDeleted() {
    const list = $("deleted-parts");
    if (!list) return;
    try {
      const found = await api("/deleted");
      const label = id => (factors.get(id) || found.factors.find(f => f.id === id) || {label: "?"}).label;
      const rows = [
        ...found.factors.map(f => ({type: "factor", id: f.id, text: `Factor “${f.label}”`, at: f.deleted_at})),
        ...found.links.map(k => ({type: "link", id: k.id, text: `Link ${label(k.source_id)} → ${label(k.target_id)} (${SIGN[k.polarity]})`, at: k.deleted_at})),
      ];
      list.innerHTML = rows.length ? rows.map(r => `<li>${esc(r.text)} <span class="muted">deleted ${esc(r.at.slice(0, 16).replace("T", " "))}</span> <button type="button" class="textbutton" data-restore="${esc(r.type)}" data-id="${esc(r.id)}">Restore</button></li>`).join("")
        : "<li class='muted'>Nothing deleted.</li>";
      list.querySelectorAll("[data-restore]").forEach(button => button.addEventListener("click", async () => {
        if (!me) { showError(new Error("Join the map first (under “You”): then you can bring it back.")); return; }
        if (await own("restore", button.dataset.restore, {id: button.dataset.id})) loadDeleted();
      }));
    } catch (error) { list.innerHTML = `<li class="error">${esc(error.message)}</li>`; }
  }
  loadDeleted();

  $("fit").addEventListener("click", () => fitView());
  (window.MobiliseMapParts || []).forEach(part => part(editor));
  load().catch(error => { $("live").textContent = "Could not load the map: " + error.message; $("live").className = "live off"; });
})();
