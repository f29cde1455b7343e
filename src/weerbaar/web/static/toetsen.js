// Keyboard shortcuts for the review screens. Every shortcut belongs to an element with
// data-toets="KEY" and does what a click or a focus on it would; without JavaScript the forms work as they are.
(function () {
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
  }
  var sent = false;  // one decision per page: a second key press while the form is on its way does nothing
  document.addEventListener("submit", function () { sent = true; });
  document.addEventListener("keydown", function (ev) {
    if (sent) { ev.preventDefault(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(ev.target)) return;
    if (ev.key === "?") {
      var dialog = document.getElementById("sneltoetsen");
      if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
      ev.preventDefault();
      return;
    }
    var el = document.querySelector('[data-toets="' + CSS.escape(ev.key) + '"]');
    if (!el) return;
    ev.preventDefault();
    if (el.type === "checkbox") { el.checked = !el.checked; el.focus(); }
    else if (el.type === "radio") { el.checked = true; el.focus(); }
    else if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && typing(el))) { el.focus(); }
    else if (el.tagName === "BUTTON") {
      if (el.form && typeof el.form.requestSubmit === "function") { el.form.requestSubmit(el); } else { el.click(); }
    }
    else { el.click(); }
  });
})();
