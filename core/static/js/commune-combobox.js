// Progressive enhancement of a commune input (core.commune_field): an ARIA 1.2 combobox with a
// list of suggestions from the communes API. Without it the input still posts the typed text,
// which the server resolves.
(function () {
  "use strict";
  function enhance(input) {
    var list = document.getElementById(input.id + "-suggestions");
    var status = document.getElementById(input.id + "-status");
    var active = -1, timer = null, request = 0, options = [];
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      options.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      input.value = options[index].dataset.label;
      close();
      status.textContent = options[index].dataset.label + " choisie.";
    }
    function show(results) {
      list.textContent = "";
      options = results.map(function (commune, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.label = commune.display_name;
        item.textContent = commune.display_name + " — " + commune.departement;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(item);
        return item;
      });
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", String(options.length > 0));
      active = -1;
      status.textContent = options.length === 0 ? "Aucune commune trouvée."
        : options.length === 1 ? "1 commune proposée." : options.length + " communes proposées.";
    }
    function search() {
      var query = input.value.trim();
      if (query.length < 2) { close(); list.textContent = ""; options = []; return; }
      var mine = ++request;
      fetch(input.dataset.communeCombobox + "?q=" + encodeURIComponent(query) + "&taille=8",
            { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (page) { if (mine === request) { show(page.results || []); } })
        .catch(function () { /* the typed text is still posted and resolved by the server */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp" && options.length && !list.hidden) {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }
  document.querySelectorAll("input[data-commune-combobox]").forEach(enhance);
})();
