/* Booking pages of {{ origin }} on your website: frames size themselves,
   data-booking-popup links open in a small window. No cookies, no tracking. */
(function () {
  "use strict";
  var origin = "{{ origin|escapejs }}";
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "booking:height") { return; }
    var frames = document.querySelectorAll("iframe[data-booking-embed]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(200, Math.min(10000, Number(event.data.height) || 0)) + "px";
        // A new page in the frame starts at its top: bring that into view if it is above.
        if (event.data.page && frames[i].getBoundingClientRect().top < 0) {
          frames[i].scrollIntoView({ block: "start" });
        }
      }
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-booking-popup]") : null;
    if (!link || link.href.indexOf(origin + "/") !== 0) { return; }
    var popup = window.open(link.href, "booking", "width=480,height=760,resizable=yes,scrollbars=yes");
    if (popup) { event.preventDefault(); }
  });
})();
