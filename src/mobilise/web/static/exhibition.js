// The exhibition's slideshow: one picture at a time, moving on by itself (unless the visitor
// prefers reduced motion, or pauses), with buttons and keys (arrows, space, F). Without this
// script every picture is simply listed. Each time round (and every two minutes) it fetches the
// gallery again: a picture no longer public (or whose maker withdrew consent) leaves the screen,
// a new one joins it.
(function () {
  "use strict";
  var root = document.getElementById("exhibition");
  if (!root) return;
  var slides = Array.prototype.slice.call(root.querySelectorAll(".slide"));
  var controls = root.querySelector(".controls");
  var list = root.querySelector(".slides");
  if (!slides.length || !controls || !list) return;
  var feed = root.getAttribute("data-feed");
  var REFRESH_SECONDS = 120;
  var position = controls.querySelector(".position");
  var pause = controls.querySelector('[data-go="pause"]');
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var current = 0;
  var paused = still;
  var timer = null;
  var SECONDS = 8;

  function show(index) {
    current = (index + slides.length) % slides.length;
    slides.forEach(function (slide, i) {
      slide.classList.toggle("current", i === current);
      slide.setAttribute("aria-hidden", i === current ? "false" : "true");
      slide.setAttribute("aria-label", (i + 1) + " of " + slides.length);
    });
    position.textContent = (current + 1) + " of " + slides.length;
    schedule();
  }
  function advance() {
    if (current + 1 >= slides.length) refresh(); // once each time round
    show(current + 1);
  }
  function schedule() {
    if (timer) window.clearTimeout(timer);
    timer = paused ? null : window.setTimeout(advance, SECONDS * 1000);
  }
  function text(tag, className, words) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = words;
    return element;
  }
  function slideOf(item) {
    var slide = document.createElement("li");
    slide.className = "slide";
    slide.setAttribute("data-id", item.id);
    slide.setAttribute("aria-roledescription", "slide");
    var figure = document.createElement("figure");
    var picture = document.createElement("img");
    picture.src = item.file_url || "/media/" + item.id;
    picture.alt = item.alt_text || "";
    var caption = document.createElement("figcaption");
    if (item.caption) caption.appendChild(text("strong", "", item.caption));
    if (item.maker_words) caption.appendChild(text("span", "maker-words", "\u201c" + item.maker_words + "\u201d"));
    var by = item.by + " \u00b7 " + item.event_title + (item.illustrative ? " \u00b7 illustrative" : "");
    caption.appendChild(text("span", "by", by));
    figure.appendChild(picture);
    figure.appendChild(caption);
    slide.appendChild(figure);
    return slide;
  }
  function update(items) {
    var kept = {};
    slides.forEach(function (slide) { kept[slide.getAttribute("data-id")] = slide; });
    var showing = slides[current] && slides[current].getAttribute("data-id");
    var next = items
      .filter(function (item) { return (item.media_type || "").indexOf("image/") === 0; })
      .map(function (item) { return kept[item.id] || slideOf(item); });
    slides.forEach(function (slide) { if (next.indexOf(slide) < 0) slide.remove(); });
    if (!next.length) { window.location.reload(); return; } // nothing left: the page says so
    next.forEach(function (slide) { list.appendChild(slide); });
    slides = next;
    var at = slides.map(function (slide) { return slide.getAttribute("data-id"); }).indexOf(showing);
    current = at < 0 ? Math.min(current, slides.length - 1) : at;
    show(current);
  }
  function refresh() {
    if (!feed || !window.fetch) return;
    window.fetch(feed, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (answer.status === 404) return []; // the event or place is no longer shown
        return answer.ok ? answer.json() : null;
      })
      .then(function (items) { if (items) update(items); })
      .catch(function () {}); // offline: the pictures on screen stay until the next try
  }
  function setPaused(value) {
    paused = value;
    pause.setAttribute("aria-pressed", paused ? "true" : "false");
    pause.textContent = paused ? "Play" : "Pause";
    schedule();
  }
  function fullScreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  }
  controls.addEventListener("click", function (event) {
    var go = event.target.getAttribute && event.target.getAttribute("data-go");
    if (go === "next") advance();
    else if (go === "previous") show(current - 1);
    else if (go === "pause") setPaused(!paused);
    else if (go === "full") fullScreen();
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") advance();
    else if (event.key === "ArrowLeft" || event.key === "PageUp") show(current - 1);
    else if (event.key === " ") { event.preventDefault(); setPaused(!paused); }
    else if (event.key === "f" || event.key === "F") fullScreen();
    else return;
  });
  root.classList.add("js-slideshow");
  controls.hidden = false;
  setPaused(paused);
  show(0);
  window.setInterval(refresh, REFRESH_SECONDS * 1000);
})();
