// Finding a factor by name (centred and marked on the map), and the warning before adding a
// factor the map already has under the same or nearly the same name (a part of
// map_editor.js).
//
// Names are compared by the key mobilise matches factors of several maps with
// (mobilise.analysis.map_compare.normalise_label; a browser test checks that both give the
// same keys): case, spaces, punctuation, "&" and plurals do not count. A key one or two
// letters away from another (a typo: "Lonliness") is near enough to warn about too.
"use strict";
(function () {
  const JOINING = /['’‘`\-‐]/g;  // apostrophes and hyphens join: people's, well-being
  const BREAKING = /[^\p{L}\p{N}\p{M}\s]|_/gu;  // any other punctuation separates words

  function singular(word) {
    if (word.length <= 3 || !/^\p{L}+$/u.test(word)) return word;
    if (word.endsWith("ies") && word.length > 4) return word.slice(0, -3) + "y";
    if (word.endsWith("sses")) return word.slice(0, -2);
    if (["ss", "us", "is"].some(end => word.endsWith(end)) || !word.endsWith("s")) return word;
    return word.slice(0, -1);
  }

  function normalise(text) {
    const words = String(text ?? "").normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/&/g, " and ")
      .replace(JOINING, "").replace(BREAKING, " ");
    return words.split(/\s+/).filter(Boolean).map(singular).join(" ");
  }

  // Letters to change, add or remove to make one key the other, up to `most` (then most + 1).
  function distance(a, b, most) {
    if (Math.abs(a.length - b.length) > most) return most + 1;
    let previous = Array.from({length: b.length + 1}, (_, k) => k);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      if (Math.min(...row) > most) return most + 1;
      previous = row;
    }
    return previous[b.length];
  }

  // The factors whose names are the same as `label`, or nearly.
  function alike(label, factors) {
    const key = normalise(label);
    if (!key) return [];
    const most = key.length >= 12 ? 2 : key.length >= 5 ? 1 : 0;
    return factors.filter(f => {
      const other = normalise(f.label);
      return other === key || (most && distance(key, other, most) <= most);
    });
  }

  window.MobiliseMapFind = {normalise, alike};

  (window.MobiliseMapParts = window.MobiliseMapParts || []).push(function findPart(editor) {
    const {cy, $, esc} = editor;
    let sorted = [];
    editor.on("factors", factors => {
      sorted = factors;
      const names = $("factor-names");
      if (names) names.innerHTML = factors.map(f => `<option value="${esc(f.label)}"></option>`).join("");
      if ($("factor-label")) warn($("factor-label").value);
    });

    // -- find -------------------------------------------------------------------------------------
    let lastQuery = null, lastFound = [], at = 0;
    $("find").addEventListener("submit", event => {
      event.preventDefault();
      const query = normalise($("find-factor").value);
      const status = $("find-status");
      if (!query) { status.textContent = ""; return; }
      if (query !== lastQuery) {
        const score = f => { const key = normalise(f.label); return key === query ? 0 : key.startsWith(query) ? 1 : 2; };
        lastFound = sorted.filter(f => normalise(f.label).includes(query)).sort((a, b) => score(a) - score(b));
        if (!lastFound.length) lastFound = alike(query, sorted);
        lastQuery = query; at = 0;
      } else at = (at + 1) % Math.max(1, lastFound.length);
      cy.nodes().removeClass("found");
      if (!lastFound.length) { status.textContent = `No factor is called anything like “${$("find-factor").value}”.`; return; }
      const factor = lastFound[at];
      const node = cy.getElementById(factor.id).addClass("found");
      cy.zoom(Math.max(cy.zoom(), 1));
      cy.center(node);
      editor.select({type: "factor", id: factor.id});
      status.textContent = lastFound.length > 1
        ? `“${factor.label}”: ${at + 1} of ${lastFound.length} found (Find again for the next).`
        : `Found “${factor.label}”.`;
    });
    $("find-factor").addEventListener("input", () => { if (!$("find-factor").value) cy.nodes().removeClass("found"); });

    // -- the duplicate warning ----------------------------------------------------------------------
    const input = $("factor-label");
    if (!input) return;
    const box = $("duplicate-warning");
    const add = $("add-factor").querySelector("button");
    let confirmed = null;  // the label the user chose to add although it is like another

    function warn(label) {
      const found = alike(label, sorted);
      const sure = found.length && confirmed === label;
      add.textContent = sure ? "Add it anyway" : "Add factor";
      if (!found.length || !label.trim()) { box.hidden = true; box.textContent = ""; return found; }
      const names = found.slice(0, 3).map(f => `“${f.label}”`).join(", ");
      box.hidden = false;
      box.textContent = `The map already has ${names}: the same or nearly the same name. If it is the same factor, link to it instead` +
        (sure ? "; to add a new one, press “Add it anyway”." : ".");
      return found;
    }

    input.addEventListener("input", () => { confirmed = null; warn(input.value); });
    $("add-factor").addEventListener("reset", () => { confirmed = null; warn(""); });
    // The first Add of a name like another's stops at the warning; the second adds it.
    editor.mayAdd = label => {
      if (!alike(label, sorted).length || confirmed === label) { confirmed = null; warn(""); return true; }
      confirmed = label;
      warn(label);
      input.focus();
      return false;
    };
  });
})();
