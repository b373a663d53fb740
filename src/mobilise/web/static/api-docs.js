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
