// Parvis embed: a brand's page mounts its community (or a widget) where this script stands.
//   <script src="https://community.example/embed.js" data-parvis-path="/c/help" async></script>
// Options (data-parvis-*): path (the page shown first), title (the frame's accessible name),
// height (pixels, until the page says how tall it is), token (a signed token: signs the
// brand's customer in, on the first page only).
// The frame tells this page its height (no inner scrollbars) and the address it shows, which
// is kept in this page's address (#!/t/12/slug) so that a shared link opens the same thread.
// Messages are taken only from the community's frame and sent only to the community.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) return;
  const community = new URL(script.src).origin;
  const data = script.dataset;
  const PREFIX = "#!";
  const MAX_HEIGHT = 100000;

  const safePath = (text) => {
    if (typeof text !== "string" || !text.startsWith("/") || text.startsWith("//") || text.includes("\\")) {
      return null;
    }
    const url = new URL(text, community);
    return url.origin === community ? url.pathname + url.search + url.hash : null;
  };
  const start = safePath(data.parvisPath || "/") || "/";
  const deepLinks = !start.startsWith("/embed/"); // a widget keeps to itself
  const linked = () => (deepLinks && location.hash.startsWith(PREFIX)
    ? safePath(decodeURIComponent(location.hash.slice(PREFIX.length))) : null);

  const frameUrl = (path, token) => {
    const url = new URL(path, community);
    url.searchParams.set("embed", "1");
    if (!token) return url.href;
    const signIn = new URL("/auth/token", community);
    signIn.searchParams.set("jwt", token);
    signIn.searchParams.set("return_to", url.pathname + url.search + url.hash);
    return signIn.href;
  };

  const frame = document.createElement("iframe");
  frame.title = data.parvisTitle || "Community";
  frame.setAttribute("scrolling", "no");
  frame.setAttribute("data-parvis-frame", "");
  frame.style.cssText = "display:block;width:100%;border:0;overflow:hidden";
  frame.style.height = `${parseInt(data.parvisHeight, 10) || 600}px`;
  frame.src = frameUrl(linked() || start, data.parvisToken);
  script.after(frame);

  let shown = null; // the community's path the frame shows
  frame.addEventListener("load", () => {
    frame.contentWindow.postMessage({ type: "parvis:hello" }, community);
  });
  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== community) return;
    const message = event.data || {};
    if (Number.isFinite(message.height) && message.height > 0) {
      frame.style.height = `${Math.min(Math.ceil(message.height), MAX_HEIGHT)}px`;
    }
    if (message.type !== "parvis:page" || !deepLinks) return;
    const path = safePath(message.path);
    if (path === null) return;
    shown = path;
    const hash = path === start ? "" : PREFIX + path;
    if (location.hash !== hash) {
      history.replaceState(history.state, "", hash || location.pathname + location.search);
    }
  });
  window.addEventListener("hashchange", () => {
    const path = linked();
    if (path !== null && path !== shown) frame.src = frameUrl(path, "");
  });
})();
