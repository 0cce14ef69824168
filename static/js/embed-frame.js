// A community page inside a brand's iframe (see embed.js): it tells the brand's page its
// height and its address, only once that page has said hello, and only to a brand page this
// community allows (the origins in <meta name="parvis-embed-origins">, and the community
// itself for the admin's previews). Links to other sites open in the top window.
(() => {
  "use strict";
  if (window.parent === window) return;
  const meta = document.querySelector('meta[name="parvis-embed-origins"]');
  const allowed = new Set((meta ? meta.content : "").split(" ").filter(Boolean));
  allowed.add(window.location.origin);
  let partner = null; // the brand page's origin, once it said hello

  const height = () => Math.ceil(document.documentElement.getBoundingClientRect().height);
  const path = () => {
    const url = new URL(window.location.href);
    url.searchParams.delete("embed");
    return url.pathname + url.search + url.hash;
  };
  const send = (message) => {
    if (partner !== null) window.parent.postMessage(message, partner);
  };

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !allowed.has(event.origin)) return;
    if (!event.data || event.data.type !== "parvis:hello") return;
    partner = event.origin;
    send({ type: "parvis:page", path: path(), height: height() });
  });
  new ResizeObserver(() => send({ type: "parvis:resize", height: height() }))
    .observe(document.documentElement);
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (link instanceof HTMLAnchorElement && link.origin !== window.location.origin
        && !link.getAttribute("target")) {
      link.target = "_top";
    }
  });
})();
