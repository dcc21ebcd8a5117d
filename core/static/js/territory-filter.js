// Progressive enhancement of the département choice: a text filter over the régions' folds.
// Without it the folds and the browser's own search still work.
(function () {
  "use strict";
  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  function enhance(choice) {
    var filter = choice.querySelector(".territory-choice__filter");
    var input = filter.querySelector("input");
    var regions = choice.querySelectorAll(".territory-choice__region");
    filter.hidden = false;
    input.addEventListener("input", function () {
      var query = normalise(input.value);
      regions.forEach(function (region) {
        var shown = 0;
        region.querySelectorAll(".fr-fieldset__element").forEach(function (item) {
          // A ticked département stays in sight: the filter never hides a choice made.
          var ticked = item.querySelector("input").checked;
          var match = !query || ticked || normalise(item.textContent).indexOf(query) !== -1;
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        region.hidden = shown === 0;
        if (query) { region.open = shown > 0; }
      });
    });
  }
  document.querySelectorAll(".territory-choice").forEach(enhance);
})();
