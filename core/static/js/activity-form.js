// The activity form without page reloads: the same POST, sent with fetch and answered in JSON.
// Without this script the form posts normally; every path below ends in what the server says.
(function () {
  "use strict";

  function toggleKind(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-activity-kind]").forEach(function (section) {
      section.hidden = kind !== "" && section.getAttribute("data-activity-kind") !== kind;
    });
  }

  function watchKind(form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") toggleKind(form);
    });
    toggleKind(form);
  }

  function enhance(form) {
    var fields = form.querySelector("[data-activity-fields]");
    var status = form.querySelector("[data-activity-status]");
    var button = form.querySelector('button[type="submit"]');
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = "";
      status.className = "fr-sr-only";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (result.ok) {
            status.textContent = result.body.message;
            status.classList.remove("fr-sr-only");
            status.classList.add("fr-alert", "fr-alert--success", "fr-alert--sm", "fr-mt-2w");
            // The next record starts from this one, as after a reload; the redirection is per person.
            form.querySelectorAll('[name="redirected"]').forEach(function (box) { box.checked = false; });
            form.querySelectorAll('[name="redirected_to"]').forEach(function (input) { input.value = ""; });
            var duration = form.querySelector('[name="duration_minutes"]');
            if (duration) { duration.focus(); duration.select(); }
          } else if (result.body.form) {
            fields.innerHTML = result.body.form;
            toggleKind(form);
            var summary = fields.querySelector(".fr-alert--error, .fr-input-group--error input, .fr-fieldset--error input");
            if (summary) summary.focus();
            status.textContent = "Le compte rendu n'a pas été enregistré : corrigez les erreurs signalées.";
          }
        })
        .catch(function () {
          // Network or server trouble: the plain POST shows what happened.
          form.submit();
        })
        .finally(function () { button.disabled = false; });
    });
  }

  document.querySelectorAll("[data-activity-form]").forEach(function (form) {
    watchKind(form);
    if (window.fetch && window.FormData) enhance(form);
  });
  document.querySelectorAll("[data-activity-kind-toggle]").forEach(watchKind);
})();
