// The coding page: select words of a contribution to code just that span. Without this script
// the form codes the whole contribution. Offsets are counted in Unicode code points, as the
// server counts them (Python string indices), not in UTF-16 units.
(function () {
  "use strict";
  function points(text) { return Array.from(text).length; }

  function offsetsIn(block, range) {
    var before = document.createRange();
    before.selectNodeContents(block);
    before.setEnd(range.startContainer, range.startOffset);
    var start = points(before.toString());
    return [start, start + points(range.toString())];
  }

  function formOf(block) {
    var item = block.closest(".coding-item");
    return item ? item.querySelector(".code-form") : null;
  }

  function reset(form) {
    form.elements.span_start.value = "";
    form.elements.span_end.value = "";
    form.querySelector(".selection").textContent = "";
    form.querySelector("button").textContent = "Code the whole contribution";
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var block = (node.nodeType === 1 ? node : node.parentElement).closest(".codable");
    if (!block) return;
    var form = formOf(block);
    if (!form) return;
    var span = offsetsIn(block, range);
    if (span[1] <= span[0]) return;
    form.elements.span_start.value = String(span[0]);
    form.elements.span_end.value = String(span[1]);
    var words = range.toString();
    form.querySelector(".selection").textContent =
      "Selected: “" + (words.length > 80 ? words.slice(0, 79) + "…" : words) + "”";
    form.querySelector("button").textContent = "Code the selected words";
    if (!form.querySelector(".whole")) {
      var whole = document.createElement("button");
      whole.type = "button";
      whole.className = "link whole";
      whole.textContent = "Code the whole contribution instead";
      whole.addEventListener("click", function () { reset(form); whole.remove(); });
      form.appendChild(whole);
    }
  }

  document.addEventListener("mouseup", onSelection);
  document.addEventListener("keyup", onSelection);
  document.addEventListener("touchend", onSelection);
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) onSelection();
  });
})();
