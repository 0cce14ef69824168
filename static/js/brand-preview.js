// The brand page's live preview: colour and font choices restyle the preview box and show
// their WCAG contrast as they change (saving still checks them; this only helps choosing).
(function () {
  "use strict";
  var preview = document.getElementById("brand-preview");
  if (!preview) return;

  function luminance(hex) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return null;
    var channels = [0, 2, 4].map(function (i) {
      var c = parseInt(m[1].substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function ratio(a, b) {
    var la = luminance(a), lb = luminance(b);
    if (la === null || lb === null) return "?";
    return ((Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)).toFixed(2);
  }

  function value(key) {
    var input = document.querySelector("[data-preview='" + key + "']");
    return input ? input.value : "";
  }

  function showRatio(which, text) {
    var span = preview.querySelector("[data-ratio='" + which + "']");
    if (span) span.textContent = span.textContent.replace(/[0-9.?]+:1/, text + ":1");
  }

  function update() {
    ["primary", "accent", "background", "text"].forEach(function (key) {
      preview.style.setProperty("--preview-" + key, value(key));
    });
    var font = document.querySelector("input[name='font']:checked");
    if (font) preview.style.setProperty("--preview-font", font.getAttribute("data-stack"));
    showRatio("text", ratio(value("text"), value("background")));
    showRatio("button", ratio("#ffffff", value("primary")));
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest("[data-brand-colours]") || event.target.name === "font") update();
  });
  document.addEventListener("change", function (event) {
    if (event.target.name === "font") update();
  });
})();
