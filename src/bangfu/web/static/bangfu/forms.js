// A <select data-searchable> gets a search box above it: typing narrows the options (and their groups) to
// those whose name or group contains the text, so 112 villages need no scrolling. No library, no network.
(function () {
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.placeholder = select.getAttribute("data-search-placeholder") || "🔍";
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var text = box.value.trim();
      var firstMatch = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var groupHit = group.label.indexOf(text) >= 0;
        var any = false;
        group.querySelectorAll("option").forEach(function (option) {
          var hit = !text || groupHit || option.textContent.indexOf(text) >= 0;
          option.hidden = !hit;
          if (hit) { any = true; if (!firstMatch) firstMatch = option; }
        });
        group.hidden = !any;
      });
      if (text && firstMatch && (!select.value || select.selectedOptions[0].hidden)) select.value = firstMatch.value;
    });
  });
})();
