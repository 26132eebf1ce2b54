/* SafeCampus — risk register pages. A level badge carries its band's colour (the bureau
 * edits it) in data-band-color; its dot is painted here, since CSP forbids style="".
 * The level classes (sc-level-1…4) give the default colours when JavaScript is off. */
(function () {
  "use strict";

  const HEX = /^#[0-9a-fA-F]{6}$/;

  function paint(root) {
    (root || document).querySelectorAll("[data-band-color]").forEach(function (badge) {
      const color = badge.getAttribute("data-band-color");
      const dot = badge.querySelector(".sc-dot");
      if (dot && HEX.test(color)) dot.style.backgroundColor = color;
    });
  }

  // A colour input previews its band at once.
  document.addEventListener("input", function (evt) {
    const input = evt.target;
    if (!input.matches || !input.matches('input[type="color"]')) return;
    const row = input.closest("tr");
    const badge = row && row.querySelector("[data-band-color]");
    if (badge && HEX.test(input.value)) {
      badge.setAttribute("data-band-color", input.value);
      paint(row);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { paint(document); });
  } else {
    paint(document);
  }
  document.addEventListener("htmx:load", function (evt) { paint(evt.target); });
})();
