// The report grid: recompute row, area and column totals as the coordinator types.
// Without this script the page still works: the server computes the totals on save.
(function () {
  "use strict";

  function parse(text) {
    var clean = String(text || "").replace(/[\s\u00a0\u202f]/g, "");
    return /^\d+$/.test(clean) ? parseInt(clean, 10) : 0;
  }

  function format(n) {
    // Swedish grouping with a plain space, like the server's |num filter.
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  }

  function matches(input, total) {
    var keys = ["group", "area", "row", "col"];
    for (var i = 0; i < keys.length; i++) {
      var want = total.dataset[keys[i]];
      if (want && input.dataset[keys[i]] !== want) {
        return false;
      }
    }
    return true;
  }

  // Replace only the total's own text: a note after it (e.g. "före 12", the saved
  // value shown after a conflicting save) stays.
  function setLeadingText(element, text) {
    var node = element.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE) {
      if (node.nodeValue !== text) {
        node.nodeValue = text;
      }
    } else {
      element.insertBefore(document.createTextNode(text), node);
    }
  }

  function recompute(form) {
    var inputs = form.querySelectorAll("input[data-cell]");
    var totals = form.querySelectorAll("[data-total]");
    for (var t = 0; t < totals.length; t++) {
      var sum = 0;
      for (var i = 0; i < inputs.length; i++) {
        if (matches(inputs[i], totals[t])) {
          sum += parse(inputs[i].value);
        }
      }
      setLeadingText(totals[t], format(sum));
    }
  }

  function markInvalid(input) {
    var text = input.value.replace(/[\s\u00a0\u202f]/g, "");
    var bad = text !== "" && !/^\d+$/.test(text);
    input.classList.toggle("typo", bad);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.report-form");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("input", function (event) {
        if (event.target.matches("input[data-cell]")) {
          markInvalid(event.target);
          recompute(form);
        }
      });
      recompute(form);
    });
    // The error summary's links take the keyboard to the cell, not just the eye.
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#cell-']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      }
    });
  });
})();
