// The report grid: recompute row, area and column totals as the coordinator types,
// refuse a figure that is not a whole number or is too large (with the cell's
// message, as the server would), move between cells with the arrow keys, and ask
// before leaving the page with unsaved changes.
// Without this script the page still works: the server computes the totals on
// save and refuses the same figures with the same messages.
(function () {
  "use strict";

  var SPACES = /[\s\u00a0\u202f]/g;

  // The figure in a cell as an integer, or null when it is blank, not a whole
  // number, or above the maximum (such a cell is not added to any total, so a
  // total is always an exact sum of valid figures: at most 50 × 2^31, well within
  // the 2^53 that a JavaScript number holds exactly).
  function parse(text, max) {
    var clean = String(text || "").replace(SPACES, "");
    if (!/^\d+$/.test(clean) || clean.length > String(max).length + 1) {
      return null;
    }
    var n = parseInt(clean, 10);
    return n <= max ? n : null;
  }

  // Grouped like the server's |num filter, with the separator the server put on the
  // table (data-thousands: a no-break space in Swedish, a comma in English).
  function format(n, separator) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  }

  function separatorOf(element) {
    var table = element.closest("[data-thousands]");
    return table ? table.dataset.thousands : "\u00a0";
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

  function recompute(form, max) {
    var inputs = form.querySelectorAll("input[data-cell]");
    var totals = form.querySelectorAll("[data-total]");
    for (var t = 0; t < totals.length; t++) {
      var sum = 0;
      for (var i = 0; i < inputs.length; i++) {
        if (matches(inputs[i], totals[t])) {
          sum += parse(inputs[i].value, max) || 0;
        }
      }
      setLeadingText(totals[t], format(sum, separatorOf(totals[t])));
    }
  }

  // The cell's own live message (shown under the cell, announced by screen
  // readers through aria-describedby), separate from the server's note.
  function liveNote(input) {
    var id = input.id + "-live";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("span");
      note.id = id;
      note.className = "cell-note field-error live";
      input.parentNode.appendChild(note);
      var described = (input.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(id) < 0) {
        described.push(id);
        input.setAttribute("aria-describedby", described.join(" ").trim());
      }
    }
    return note;
  }

  function check(input, form, max) {
    var text = input.value.replace(SPACES, "");
    var message = "";
    if (text !== "" && !/^\d+$/.test(text)) {
      message = form.dataset.msgNotWhole.replace("%(value)s", input.value.trim().slice(0, 20));
    } else if (text !== "" && parse(text, max) === null) {
      message = form.dataset.msgTooLarge;
    }
    input.classList.toggle("typo", message !== "");
    if (message) {
      input.setAttribute("aria-invalid", "true");
      liveNote(input).textContent = message;
    } else {
      var note = document.getElementById(input.id + "-live");
      if (note) {
        note.textContent = "";
      }
      if (!input.closest("td.has-error")) {
        input.removeAttribute("aria-invalid");
      }
    }
  }

  // Arrow keys move between cells as in a spreadsheet: up and down always, left
  // and right when the caret is at the start or end of the cell's text.
  function move(event, form) {
    var input = event.target;
    var key = event.key;
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].indexOf(key) < 0) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var table = input.closest("table");
    var rows = Array.prototype.filter.call(table.querySelectorAll("tr"), function (tr) {
      return tr.querySelector("input[data-cell]");
    });
    var r = rows.indexOf(input.closest("tr"));
    var cells = rows[r].querySelectorAll("input[data-cell]");
    var c = Array.prototype.indexOf.call(cells, input);
    var target = null;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (key === "ArrowUp" && r > 0) {
      target = rows[r - 1].querySelectorAll("input[data-cell]")[c];
    } else if (key === "ArrowDown" && r < rows.length - 1) {
      target = rows[r + 1].querySelectorAll("input[data-cell]")[c];
    } else if (key === "ArrowLeft" && atStart && c > 0) {
      target = cells[c - 1];
    } else if (key === "ArrowRight" && atEnd && c < cells.length - 1) {
      target = cells[c + 1];
    }
    if (target) {
      event.preventDefault();
      target.focus();
      target.select();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.report-form");
    Array.prototype.forEach.call(forms, function (form) {
      var max = parseInt(form.dataset.max || "2147483647", 10);
      // Figures shown again after a refused save (or given back after signing in
      // again) are not saved yet: leaving asks first, as after typing.
      var dirty = form.hasAttribute("data-unsaved");
      var submitting = false;
      form.addEventListener("input", function (event) {
        dirty = true;
        if (event.target.matches("input[data-cell]")) {
          check(event.target, form, max);
          recompute(form, max);
        }
      });
      form.addEventListener("keydown", function (event) {
        if (event.target.matches("input[data-cell]")) {
          move(event, form);
        }
      });
      form.addEventListener("submit", function () {
        submitting = true;
      });
      window.addEventListener("beforeunload", function (event) {
        if (dirty && !submitting) {
          event.preventDefault();
          event.returnValue = "";
        }
      });
      recompute(form, max);
    });
    // The error summary's links take the keyboard to the field, not just the eye.
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      }
    });
  });
})();
