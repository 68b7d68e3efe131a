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
