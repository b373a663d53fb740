"use strict";
// The API docs page: Swagger UI from the vendored copy, on the app's own OpenAPI schema.
(function () {
  const box = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: box.dataset.openapiUrl,
    domNode: box,
    deepLinking: true,
    validatorUrl: null, // never send the schema to an outside validator
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();

// Each operation's summary is a button holding a link to the operation (its deep link): a link
// inside a button is reached twice by the keyboard and confuses screen readers (axe:
// nested-interactive). The button opens the operation and puts its deep link in the address bar
// (deepLinking), so the inner link loses its href and is plain text.
new MutationObserver(() => {
  for (const link of document.querySelectorAll(".opblock-summary-control a[href]")) {
    link.removeAttribute("href");
  }
}).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
