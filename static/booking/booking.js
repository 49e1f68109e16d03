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
  var zoneInput = document.querySelector("[data-zone-input]");
  var params = new URLSearchParams(window.location.search);
  if (zoneInput && !params.get("tz")) {
    var zone = browserZone();
    if (zone && zoneInput.value !== zone) {
      params.set("tz", zone);
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }
  // The zone search: the list (friendly names, today's offsets) is fetched once,
  // when the picker opens, and cached by the browser; the detected zone first.
  if (zoneInput) {
    var picker = zoneInput.closest("details");
    var list = document.getElementById(zoneInput.getAttribute("list"));
    var load = function () {
      if (list.childElementCount) { return; }
      fetch(zoneInput.getAttribute("data-zones-url"))
        .then(function (response) { return response.json(); })
        .then(function (zones) {
          var detected = browserZone();
          zones.sort(function (a, b) { return (b.value === detected) - (a.value === detected); });
          zones.forEach(function (zone) {
            var option = document.createElement("option");
            option.value = zone.value;
            option.label = zone.label;
            option.textContent = zone.label;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    };
    if (picker) { picker.addEventListener("toggle", function () { if (picker.open) { load(); } }); }
    zoneInput.addEventListener("focus", load);
  }

  // Inside a frame on the practice's website: tell it our height (embed.js sizes the frame).
  // The body's own height (the document's scrollHeight never drops below the
  // frame's current height, so a shorter next page would leave white space).
  // The first message of each page says so: the website brings the frame's top
  // into view, where a new page starts.
  if (window.parent !== window && window.ResizeObserver) {
    var newPage = true;
    var tell = function () {
      var style = window.getComputedStyle(document.body);
      var height = Math.ceil(document.body.getBoundingClientRect().height +
        parseFloat(style.marginTop) + parseFloat(style.marginBottom));
      window.parent.postMessage({ type: "booking:height", height: height, page: newPage }, "*");
      newPage = false;
    };
    new ResizeObserver(tell).observe(document.body);
    tell();
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

  // One tap books once: a second tap (or Enter) on a form already sent does
  // nothing. Buttons are disabled after the submit has read the pressed one's
  // value (a slot's time), and enabled again if the page comes back from Back.
  document.querySelectorAll('form[method="post"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      }, 0);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
      form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
    });
  });

  // The details page: say a minute ahead that the hold is about to lapse, and
  // say plainly when it has (the form still books the time if it is free).
  var held = document.querySelector("[data-hold-seconds]");
  var holdStatus = document.getElementById("hold-status");
  if (held && holdStatus) {
    var seconds = parseInt(held.getAttribute("data-hold-seconds"), 10) || 0;
    var say = function (text) { holdStatus.textContent = text; holdStatus.hidden = false; };
    if (seconds > 60) {
      window.setTimeout(function () {
        say("We can hold this time for one more minute. Press “" + (holdStatus.getAttribute("data-button") || "Book this session") + "” now to keep it.");
      }, (seconds - 60) * 1000);
    }
    window.setTimeout(function () {
      held.hidden = true;
      say(holdStatus.getAttribute("data-lapsed"));
    }, seconds * 1000);
  }

  // The landing page: offer only the therapists who give the chosen session type.
  var therapistChoice = document.querySelector("[data-therapist-choice]");
  if (therapistChoice) {
    var cards = Array.prototype.slice.call(therapistChoice.querySelectorAll("[data-offers]"));
    var filter = function () {
      var chosen = document.querySelector('input[name="session_type"]:checked');
      cards.forEach(function (card) {
        var gives = !chosen || card.getAttribute("data-offers").split(" ").indexOf(chosen.value) !== -1;
        card.hidden = !gives;
        var radio = card.querySelector("input");
        if (!gives && radio.checked) {
          radio.checked = false;
          therapistChoice.querySelector('input[value=""]').checked = true;
        }
      });
    };
    document.querySelectorAll('input[name="session_type"]').forEach(function (radio) {
      radio.addEventListener("change", filter);
    });
    filter();
  }

  // Staff contact form: consent to texts is for a number. A changed number unticks
  // it (the server clears it too); ticking it again says so with the save.
  document.querySelectorAll("[data-sms-consent-form]").forEach(function (form) {
    var phone = form.querySelector('input[name="phone"]');
    var box = form.querySelector('input[name="sms_consent"]');
    var again = form.querySelector('input[name="sms_consent_again"]');
    var note = form.querySelector("[data-sms-consent-note]");
    if (!phone || !box || !again) { return; }
    var first = phone.value;
    phone.addEventListener("input", function () {
      if (phone.value !== first && box.checked && !again.value) {
        box.checked = false;
        if (note) { note.hidden = false; }
      }
    });
    box.addEventListener("change", function () {
      again.value = box.checked && phone.value !== first ? "1" : "";
    });
  });

  // The details page: what was typed is kept in this tab (sessionStorage, keyed by
  // the hold itself, whose page address may differ the next time) so Back and the
  // same time again find it; cleared on submit.
  var keep = document.querySelector("[data-keep-details]");
  if (keep && window.sessionStorage) {
    var key = "details:" + (keep.getAttribute("data-keep-details") || window.location.pathname);
    var fields = function () {
      return Array.prototype.filter.call(keep.elements, function (el) {
        return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "hidden" &&
          el.type !== "checkbox" && el.type !== "submit" && el.type !== "button";
      });
    };
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(key) || "{}");
      fields().forEach(function (el) {
        if (!(el.name in saved)) { return; }
        if (el.type === "radio") { if (el.value === saved[el.name]) { el.checked = true; } }
        else if (!el.value) { el.value = saved[el.name]; }
      });
    } catch (e) { /* nothing kept */ }
    keep.addEventListener("input", function () {
      var data = {};
      fields().forEach(function (el) {
        if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
        else if (el.value) { data[el.name] = el.value; }
      });
      try { window.sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full */ }
    });
    keep.addEventListener("submit", function () {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
    });
  }

  // A client's own pages keep the booking's zone; offer the browser's when it differs
  // from the zone shown, and is not the booking's (which the page offers already).
  document.querySelectorAll("[data-offer-zone]").forEach(function (link) {
    var zone = browserZone();
    if (!zone || zone === link.getAttribute("data-offer-zone")) { return; }
    if (zone === link.getAttribute("data-booking-zone")) { return; }
    var here = new URLSearchParams(window.location.search);
    here.set("tz", zone);
    link.href = window.location.pathname + "?" + here.toString();
    link.textContent = "Show times in " + zone;
    link.parentNode.hidden = false;
  });

  // A manage page left open until its video session's Join opens: reload it then, so the
  // button appears (only within a day; a page kept open longer is reloaded by its reader).
  var later = document.querySelector("[data-reload-in]");
  if (later) {
    var seconds = parseInt(later.getAttribute("data-reload-in"), 10);
    if (seconds > 0 && seconds <= 86400) {
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    }
  }

  // After a failed submit, move focus to the summary of what to fix.
  var focus = document.querySelector("[data-focus]");
  if (focus) { focus.focus(); }
})();
