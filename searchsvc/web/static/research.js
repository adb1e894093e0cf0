// searchsvc research pages: copy buttons of the citation box (the text stays selectable without scripts).
(function () {
  "use strict";
  function status(text) {
    var el = document.querySelector(".copy-status");
    if (el) { el.textContent = text; }
  }
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent;
    var done = function () { button.setAttribute("data-copied", "true"); status("Copied to the clipboard."); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { select(source); status("Press Ctrl+C to copy the selected text."); });
    } else {
      select(source);
      status("Press Ctrl+C to copy the selected text.");
    }
  }
  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".copy-button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (ev) { copy(ev.currentTarget); });
    }
  });
})();
