"use strict";
// A link worker's shortlist, kept in this browser only (localStorage): no account, nothing on
// the server. A button with data-shortlist-id adds or removes its asset; /shortlist?add=ID adds
// one and shows the list;
// /shortlist without ids shows the list kept here; /shortlist?ids=... is a list to print or
// send, the same for whoever opens it. The directory's buttons sit in a form that sends
// /shortlist?add=ID, so they work on a page that does not load this script too.
(function () {
  const KEY = "mobilise.shortlist";
  const MAX = 50;  // the server's MOBILISE_SHORTLIST_MAX_ASSETS default

  function read() {
    try {
      const kept = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(kept) ? kept.filter(i => i && typeof i.id === "string").slice(0, MAX) : [];
    } catch (error) {
      return [];
    }
  }
  function write(items) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(items.slice(0, MAX)));
    } catch (error) { /* storage full or off: the list stays as it was */ }
  }
  function has(id) { return read().some(i => i.id === id); }
  function add(id, name) {
    const items = read();
    if (!items.some(i => i.id === id)) { items.push({id: id, name: name || ""}); write(items); }
  }
  function remove(id) { write(read().filter(i => i.id !== id)); }
  function listUrl(items) {
    return "/shortlist" + (items.length ? "?ids=" + items.map(i => encodeURIComponent(i.id)).join(",") : "");
  }

  function show(button) {
    const on = has(button.dataset.shortlistId);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "On shortlist (remove)" : "Add to shortlist";
    button.hidden = false;
  }

  const params = new URLSearchParams(window.location.search);
  const onListPage = window.location.pathname === "/shortlist";
  if (onListPage && params.get("add")) {
    add(params.get("add"), "");
    window.location.replace(listUrl(read()));
    return;
  }
  if (onListPage && !params.get("ids") && read().length) {
    window.location.replace(listUrl(read()));
    return;
  }

  const list = document.getElementById("shortlist");
  const shownIds = list ? list.dataset.ids.split(",").filter(Boolean) : [];
  const mine = list && shownIds.join(",") === read().map(i => i.id).join(",");

  document.querySelectorAll("[data-shortlist-id]").forEach(button => {
    show(button);
    button.addEventListener("click", event => {
      event.preventDefault();
      const id = button.dataset.shortlistId;
      if (has(id)) remove(id); else add(id, button.dataset.shortlistName);
      if (mine) { window.location.replace(listUrl(read())); return; }  // the link changes too
      show(button);
    });
  });

  if (!list) return;
  const mineNote = document.getElementById("shortlist-mine");
  const sentNote = document.getElementById("shortlist-sent");
  if (mine) mineNote.hidden = false; else sentNote.hidden = false;
  document.getElementById("shortlist-keep").addEventListener("click", () => {
    const names = Array.from(list.querySelectorAll("h2")).map(h => h.textContent.trim());
    write(shownIds.map((id, n) => ({id: id, name: names[n] || ""})));
    window.location.reload();
  });
  const said = document.getElementById("shortlist-said");
  const copy = document.getElementById("shortlist-copy");
  const link = document.getElementById("shortlist-link");
  copy.hidden = false;
  copy.addEventListener("click", () => {
    const done = () => { said.textContent = "Link copied."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link.value).then(done, () => { link.select(); });
    } else {
      link.select();
      said.textContent = "The link is selected: copy it with Ctrl+C (or Cmd+C).";
    }
  });
  const print = document.getElementById("shortlist-print");
  print.hidden = false;
  print.addEventListener("click", () => window.print());
})();
