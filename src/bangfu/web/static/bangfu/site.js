// Behaviour that pages would otherwise write inline (onclick, onchange): the Content-Security-Policy allows
// only scripts from our own static files. Delegated from the document, so parts swapped in by htmx work too.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.submit();
  }
});
// A box that a phone folds away (filters, counts by rule) opens by itself on a wide screen.
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(min-width: 760px)").matches) {
    document.querySelectorAll("details.open-wide").forEach(function (box) { box.open = true; });
  }
});
// A row of tabs that scrolls sideways on a phone shows its active tab (not the first few only).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".tabs a.active").forEach(function (tab) {
    var row = tab.parentElement;
    if (row.scrollWidth > row.clientWidth) {
      row.scrollLeft = tab.offsetLeft - row.offsetLeft - (row.clientWidth - tab.offsetWidth) / 2;
    }
  });
});
