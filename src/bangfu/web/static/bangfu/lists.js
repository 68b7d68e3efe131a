// Phones: a region tree marked data-close-on-phone starts collapsed, so the list is the first thing seen.
(function () {
  if (window.matchMedia && window.matchMedia("(max-width: 999px)").matches) {
    document.querySelectorAll("details[data-close-on-phone]").forEach(function (el) { el.open = false; });
  }
})();
