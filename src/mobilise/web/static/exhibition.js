// The exhibition's slideshow: one picture at a time, moving on by itself (unless the visitor
// prefers reduced motion, or pauses), with buttons and keys (arrows, space, F). Without this
// script every picture is simply listed.
(function () {
  "use strict";
  var root = document.getElementById("exhibition");
  if (!root) return;
  var slides = Array.prototype.slice.call(root.querySelectorAll(".slide"));
  var controls = root.querySelector(".controls");
  if (!slides.length || !controls) return;
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
    });
    position.textContent = (current + 1) + " of " + slides.length;
    schedule();
  }
  function schedule() {
    if (timer) window.clearTimeout(timer);
    timer = paused ? null : window.setTimeout(function () { show(current + 1); }, SECONDS * 1000);
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
    if (go === "next") show(current + 1);
    else if (go === "previous") show(current - 1);
    else if (go === "pause") setPaused(!paused);
    else if (go === "full") fullScreen();
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") show(current + 1);
    else if (event.key === "ArrowLeft" || event.key === "PageUp") show(current - 1);
    else if (event.key === " ") { event.preventDefault(); setPaused(!paused); }
    else if (event.key === "f" || event.key === "F") fullScreen();
    else return;
  });
  root.classList.add("js-slideshow");
  controls.hidden = false;
  setPaused(paused);
  show(0);
})();
