// The API documentation page, from the app's own files (no inline script: see the CSP).
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null,
                                layout: "BaseLayout", deepLinking: true });
});
