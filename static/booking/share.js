// The "Share and embed" and calendar feeds pages: a Copy button beside each box
// marked data-copy. Without this script
// the boxes are still there to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (box) {
    var button = document.createElement("button");
    var said = document.createElement("span");
    button.type = "button";
    button.textContent = "Copy";
    var label = document.querySelector('label[for="' + box.id + '"]');
    button.setAttribute("aria-label", "Copy: " + (label ? label.textContent : "this text"));
    said.setAttribute("role", "status");
    said.className = "meta";
    button.addEventListener("click", function () {
      var done = function () { said.textContent = "Copied"; };
      box.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(done, function () {
          said.textContent = "Selected: press Ctrl+C (or ⌘C) to copy";
        });
      } else {
        try { document.execCommand("copy"); done(); } catch (e) {
          said.textContent = "Selected: press Ctrl+C (or ⌘C) to copy";
        }
      }
    });
    box.insertAdjacentElement("afterend", said);
    box.insertAdjacentElement("afterend", button);
  });
})();
