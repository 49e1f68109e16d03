// Progressive enhancement for the booking pages; every page works without it.
(function () {
  "use strict";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // The landing form: send the browser's zone along.
  document.querySelectorAll("[data-detect-tz]").forEach(function (input) {
    if (!input.value) { input.value = browserZone(); }
  });

  // The times page: without a zone in the address, show times in the browser's zone.
  var select = document.querySelector("[data-tz-select]");
  var params = new URLSearchParams(window.location.search);
  if (select && !params.get("tz")) {
    var zone = browserZone();
    if (zone && select.querySelector('option[value="' + zone + '"]') && select.value !== zone) {
      params.set("tz", zone);
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  // "Later days": fetch the next week and add it below, without reloading the page.
  var more = document.querySelector("[data-more-days]");
  var days = document.getElementById("days");
  if (more && days) {
    more.addEventListener("click", function (event) {
      event.preventDefault();
      var url = new URL(more.href, window.location.href);
      url.searchParams.set("fragment", "1");
      fetch(url.toString(), { headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.text(); })
        .then(function (html) {
          days.insertAdjacentHTML("beforeend", html);
          var start = new Date(url.searchParams.get("start") + "T12:00:00Z");
          start.setUTCDate(start.getUTCDate() + 7);
          url.searchParams.delete("fragment");
          url.searchParams.set("start", start.toISOString().slice(0, 10));
          more.href = url.pathname + url.search;
        })
        .catch(function () { window.location.href = more.href; });
    });
  }

  // Intake: an answer above "not at all" to the self-harm question shows crisis
  // resources at once, before anything is saved (the server shows them too).
  var crisis = document.getElementById("crisis");
  document.querySelectorAll("[data-self-harm-item]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (crisis && radio.checked && radio.value !== "0") {
        crisis.hidden = false;
        crisis.scrollIntoView({ block: "start" });
      }
    });
  });

  // After a failed submit, move focus to the summary of what to fix.
  var focus = document.querySelector("[data-focus]");
  if (focus) { focus.focus(); }
})();
