// How a systems map is drawn: colours, signs, and text that stays readable at any zoom.
//
// A label's size is set in the drawing's units, which the zoom scales: zoomed out to see a big
// map, a 12 px label would be drawn at 5 px. So the size is chosen for the zoom: never less than
// MIN_PX on the screen (times the chosen text size), and each factor's box grows with its label.
// The text size (normal, large, very large) is kept in this browser (localStorage).
"use strict";
window.MobiliseMapLook = function () {
  const KIND_COLOURS = {outcome: "#7b3294", intervention: "#1b7837", driver: "#b35806", asset: "#2166ac", other: "#666666"};
  const POLARITY_COLOURS = {"+": "#2166ac", "-": "#b2182b", "?": "#595959"};
  const SIGN = {"+": "+", "-": "−", "?": "?"};
  const SIZES = {normal: 1, large: 1.4, huge: 1.8};
  const KEY = "mobilise.map.textSize";
  const BASE_PX = 12, MIN_PX = 14;  // factor labels: at zoom 1, and at least on the screen
  const SIGN_PX = 22, MIN_SIGN_PX = 22;  // the + / − / ? of a link
  const MIN_LINE_PX = 2.5;
  const PRESENTING = 1.6;  // a share screen seen from the back of a hall
  let size = stored();
  let presenting = false;
  let zoom = 1;
  let cy = null;

  function stored() {
    try {
      const value = window.localStorage.getItem(KEY);
      return SIZES[value] ? value : "normal";
    } catch (error) { return "normal"; }  // storage refused (private mode): the default
  }

  const scale = () => SIZES[size] * (presenting ? PRESENTING : 1);
  const textPx = () => Math.max(BASE_PX, MIN_PX / zoom) * scale();
  const signPx = () => Math.max(SIGN_PX, MIN_SIGN_PX / zoom) * scale();
  const linePx = weight => Math.max(1.5 + 2 * Math.abs(weight || 0.25), MIN_LINE_PX / zoom) * Math.sqrt(scale());

  // A factor's box fits its label: a character is about 0.56 em, a line at most LINE_EM.
  const LINE_EM = 9;
  function lines(label) {
    return Math.max(1, Math.ceil(String(label).length * 0.56 * 1.15 / LINE_EM));
  }
  function boxWidth(label) {
    const px = textPx();
    return Math.min((LINE_EM + 1.4) * px, Math.max(5.8 * px, String(label).length * 0.56 * px + 1.4 * px));
  }
  const boxHeight = label => textPx() * (1.1 + 1.25 * lines(label));

  function style() {
    return [
      {selector: "node", style: {
        "label": "data(label)", "text-wrap": "wrap", "text-max-width": () => `${LINE_EM * textPx()}px`,
        "font-size": () => textPx(), "text-valign": "center", "color": "#fff", "shape": "round-rectangle",
        "width": ele => boxWidth(ele.data("label")), "height": ele => boxHeight(ele.data("label")),
        "background-color": ele => KIND_COLOURS[ele.data("kind")] || KIND_COLOURS.other}},
      {selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 1.4,
        "width": ele => linePx(ele.data("weight")),
        "line-color": ele => POLARITY_COLOURS[ele.data("polarity")], "target-arrow-color": ele => POLARITY_COLOURS[ele.data("polarity")],
        "label": ele => SIGN[ele.data("polarity")] + (ele.data("delay") ? " ‖" : ""),
        "font-size": () => signPx(), "font-weight": "bold", "text-background-color": "#fff", "text-background-opacity": 1,
        "text-background-padding": () => `${0.15 * signPx()}px`, "text-background-shape": "round-rectangle",
        "text-border-color": ele => POLARITY_COLOURS[ele.data("polarity")], "text-border-width": 1, "text-border-opacity": 1,
        "line-style": ele => ele.data("contested") ? "dashed" : "solid",
        "color": ele => POLARITY_COLOURS[ele.data("polarity")]}},
      {selector: ":selected", style: {"border-width": 3, "border-color": "#ffd700", "line-color": "#ffd700", "target-arrow-color": "#ffd700"}},
      {selector: ".faded", style: {"opacity": 0.15}},
      {selector: "node.highlight", style: {"border-width": () => 0.3 * textPx(), "border-color": "#ffd700"}},
      {selector: "edge.highlight", style: {"width": () => 2 * linePx(1)}},
      {selector: "node.found", style: {"border-width": () => 0.4 * textPx(), "border-color": "#111", "border-style": "double"}},
      {selector: "node.drop-target", style: {"border-width": () => 0.3 * textPx(), "border-color": "#111"}},
      {selector: "node.ghost", style: {"width": 1, "height": 1, "opacity": 0, "label": ""}},
      {selector: "edge.ghost", style: {"line-style": "dashed", "line-color": "#111", "target-arrow-color": "#111", "label": ""}},
    ];
  }

  // Follow the zoom (at most once a frame: a wheel sends many zoom events).
  function attach(drawing) {
    cy = drawing;
    zoom = cy.zoom();
    let queued = false;
    cy.on("zoom", () => {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(() => { queued = false; restyle(); });
    });
  }

  // A new stylesheet, not an update of the old one: Cytoscape takes a size given by the same
  // function as unchanged and would keep the boxes and label images of the old size.
  function restyle() {
    if (!cy) return;
    zoom = cy.zoom();
    cy.style(style());
  }

  // The text-size choice, if the page offers one.
  function offer(select) {
    if (!select) return;
    select.value = size;
    select.addEventListener("change", () => {
      size = SIZES[select.value] ? select.value : "normal";
      try { window.localStorage.setItem(KEY, size); } catch (error) { /* kept for this page only */ }
      restyle();
    });
  }

  function setPresenting(on) {
    presenting = on;
    restyle();
  }

  return {KIND_COLOURS, POLARITY_COLOURS, SIGN, style, attach, restyle, offer, setPresenting, textPx, signPx};
};
