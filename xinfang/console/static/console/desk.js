/* Seat console and front desk: type-ahead, the live emergency check, standard refusal notices,
   showing only the caller fields that apply, select-all, and Ctrl+Enter to submit.
   Everything here is an enhancement: the forms work the same without JavaScript. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Type-ahead: <input list="x" data-lookup="/console/lookup/..."> fills <datalist id="x">. */
  function typeahead(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-lookup");
    if (!list || !url) { return; }
    var latest = 0;
    input.addEventListener("input", debounce(function () {
      var q = input.value.trim();
      if (q.length < 1 || /^\S+ \S/.test(q)) { return; }  /* an option was just chosen */
      var ticket = ++latest;
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { options: [] }; })
        .then(function (data) {
          if (ticket !== latest) { return; }
          list.textContent = "";
          data.options.forEach(function (o) {
            var option = document.createElement("option");
            option.value = o.value;
            option.textContent = o.label;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150));
  }

  /* While the agent types the caller's words, warn at once if they read like an emergency. */
  function emergencyCheck(box) {
    var form = box.closest("form");
    var text = form && form.querySelector("textarea[name=text]");
    var shown = box.querySelector("[data-signals]");
    if (!text) { return; }
    text.addEventListener("input", debounce(function () {
      var body = new FormData();
      body.append("text", text.value);
      fetch(box.getAttribute("data-check-url"), {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(form) }
      })
        .then(function (r) { return r.ok ? r.json() : { signals: [] }; })
        .then(function (data) {
          if (data.signals.length) {
            shown.textContent = data.signals.join(shown.getAttribute("data-separator"));
            box.hidden = false;
          } else if (!box.querySelector(".error")) {
            box.hidden = true;
          }
        })
        .catch(function () {});
    }, 400));
  }

  /* Choosing a refusal reason puts its standard written notice in the notice box (unless edited). */
  function standardNotices(dl) {
    var select = document.getElementById(dl.getAttribute("data-notices-for"));
    var target = document.getElementById(dl.getAttribute("data-notice-target"));
    if (!select || !target) { return; }
    var last = "";
    function fill() {
      var dd = dl.querySelector('dd[data-code="' + select.value + '"]');
      if (!dd) { return; }
      if (target.value.trim() === "" || target.value === last) {
        target.value = dd.textContent;
        last = target.value;
      }
    }
    select.addEventListener("change", fill);
    fill();
  }

  /* Show only the caller fields that apply to the chosen kind of caller. */
  function callerKinds(form) {
    var radios = form.querySelectorAll("input[name=caller]");
    var parts = form.querySelectorAll("[data-caller-kind]");
    function update() {
      var chosen = form.querySelector("input[name=caller]:checked");
      var kind = chosen ? chosen.value : "";
      parts.forEach(function (part) {
        part.hidden = part.getAttribute("data-caller-kind").split(" ").indexOf(kind) < 0;
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  function selectAll(box) {
    var table = box.closest("table");
    box.addEventListener("change", function () {
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (c) { c.checked = box.checked; });
    });
  }

  function submitShortcut(form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-lookup]").forEach(typeahead);
    document.querySelectorAll("#emergency-box[data-check-url]").forEach(emergencyCheck);
    document.querySelectorAll("dl[data-notices-for]").forEach(standardNotices);
    document.querySelectorAll("form.call-form").forEach(callerKinds);
    document.querySelectorAll("input[data-select-all]").forEach(selectAll);
    document.querySelectorAll("form[data-submit-shortcut]").forEach(submitShortcut);
  });
})();
