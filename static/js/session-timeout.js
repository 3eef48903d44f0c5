// The session timer: warns before the idle timeout signs the user out, offers to stay
// signed in, and says so when the session has ended. The server decides (the
// /konto/session/ endpoint says how many seconds are left, counting every tab's
// requests); this only asks it at the right moments. No inline script: the settings
// come from data- attributes on #session-warning (templates/base.html).
//
// Other scripts can listen: document "rehab:session-expiring" {detail: {secondsLeft}}
// before the timeout, and "rehab:session-expired" when the session has ended (e.g. to
// keep what was typed in a form until the user has signed in again).
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var warnMs = Number(box.getAttribute("data-warn")) * 1000;
  var countdown = box.querySelector("[data-countdown]");
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function format(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function schedule(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, secondsLeft * 1000 - warnMs));
  }

  function hide() {
    clearInterval(ticker);
    box.hidden = true;
  }

  function warn(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    box.hidden = false;
    box.setAttribute("data-state", "expiring");
    clearInterval(ticker);
    countdown.textContent = format(deadline - Date.now());
    ticker = setInterval(function () {
      countdown.textContent = format(deadline - Date.now());
    }, 1000);
    clearTimeout(timer);
    timer = setTimeout(check, secondsLeft * 1000 + 500);
    document.dispatchEvent(
      new CustomEvent("rehab:session-expiring", { detail: { secondsLeft: secondsLeft } })
    );
  }

  function expired() {
    clearInterval(ticker);
    clearTimeout(timer);
    box.hidden = false;
    box.setAttribute("data-state", "expired");
    document.dispatchEvent(new CustomEvent("rehab:session-expired"));
  }

  function answer(response) {
    return response.json().then(function (data) {
      if (!data.authenticated || data.seconds_left <= 0) {
        expired();
      } else if (data.seconds_left * 1000 > warnMs + 1000) {
        hide(); // there was activity (perhaps in another tab)
        schedule(data.seconds_left);
      } else {
        warn(data.seconds_left);
      }
    });
  }

  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(answer)
      .catch(function () {
        schedule(30); // offline for a moment: ask again soon
      });
  }

  box.querySelector("[data-keepalive]").addEventListener("click", function () {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(answer);
  });

  // Every htmx request is activity on the server: start counting again.
  document.addEventListener("htmx:afterRequest", function () {
    if (box.getAttribute("data-state") !== "expired") {
      hide();
      schedule(Number(box.getAttribute("data-idle")));
    }
  });

  schedule(Number(box.getAttribute("data-left")));
})();
