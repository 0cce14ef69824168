// Starts the vendored Swagger UI on /schema. "Try it out" sends the CSRF header that every
// unsafe API request needs, copied from the csrftoken cookie.
window.addEventListener("DOMContentLoaded", () => {
  const container = document.getElementById("swagger-ui");
  const csrfToken = () => {
    const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : undefined;
  };
  window.SwaggerUIBundle({
    url: container.dataset.specUrl,
    domNode: container,
    deepLinking: true,
    validatorUrl: null, // no badge fetched from the public validator: nothing leaves Parvis
    requestInterceptor: (request) => {
      const token = csrfToken();
      if (token !== undefined) request.headers["x-csrftoken"] = token;
      return request;
    },
  });
});
