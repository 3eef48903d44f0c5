// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // On a narrow screen a wide table scrolls inside its own box (the page never
  // scrolls sideways, WCAG 1.4.10): such a table takes keyboard focus so that it can
  // be scrolled with the arrow keys (WCAG 2.1.1); it gives it up again when it fits.
  function focusableWhenScrolling() {
    var tables = document.querySelectorAll("main table:not(.grid)");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("data-scrolls", "");
      } else if (table.hasAttribute("data-scrolls")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scrolls");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", focusableWhenScrolling);
  window.addEventListener("resize", focusableWhenScrolling);
  document.addEventListener("htmx:afterSwap", focusableWhenScrolling);
})();
