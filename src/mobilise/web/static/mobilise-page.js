"use strict";
// What every page shares, without inline handlers (the Content-Security-Policy allows no inline
// script): a <select data-autosubmit> sends its form as soon as a choice is made.
document.addEventListener("change", event => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

// The main navigation's Menu (a <details> in base.html, which opens and closes without script):
// Escape closes it and gives the focus back to it, and so does a click or focus elsewhere.
(() => {
  const menu = document.querySelector("details.nav-menu");
  if (!menu) return;
  const close = () => { if (menu.open) menu.open = false; };
  document.addEventListener("keydown", event => {
    if (event.key === "Escape" && menu.open) {
      close();
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", event => { if (!menu.contains(event.target)) close(); });
  document.addEventListener("focusin", event => { if (!menu.contains(event.target)) close(); });
})();

// A wide table scrolls in its own box on a phone (.table-scroll, or a table.quality that is its
// own box): a box that does scroll can be reached with the keyboard and scrolled with the arrow
// keys (axe: scrollable-region-focusable).
function focusableScrollers() {
  for (const box of document.querySelectorAll(".table-scroll, table.quality")) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (box.tagName === "TABLE") continue; // a table keeps its role (and its caption)
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        const caption = box.querySelector("caption");
        const heading = box.closest("section")?.querySelector("h2, h3");
        box.setAttribute("aria-label", (caption || heading)?.textContent.trim() || "Table");
      }
    }
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", focusableScrollers);
} else {
  focusableScrollers();
}
window.addEventListener("resize", focusableScrollers);
