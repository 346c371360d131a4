// xinfang citizen portal: progressive enhancements only; every page works without this file.
// 1. Place pickers: choosing a province (city) loads its cities (counties) without a reload.
// 2. "Send SMS code": sends in the background and counts down before the next request.
(function () {
  "use strict";

  function clearSelect(select) {
    while (select.options.length > 1) {
      select.remove(1);
    }
    select.value = "";
  }

  function showGroup(select, visible) {
    var group = document.getElementById(select.id + "_group");
    if (group) {
      group.hidden = !visible;
    }
  }

  function setUpPlaces(fieldset) {
    var url = fieldset.getAttribute("data-places-url");
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select[data-place-level]"));
    selects.sort(function (a, b) {
      return Number(a.dataset.placeLevel) - Number(b.dataset.placeLevel);
    });
    selects.forEach(function (select, index) {
      var next = selects[index + 1];
      if (next && next.options.length <= 1 && !select.value) {
        showGroup(next, false);
      }
      if (!next) {
        return;
      }
      select.addEventListener("change", function () {
        for (var i = index + 1; i < selects.length; i++) {
          clearSelect(selects[i]);
          showGroup(selects[i], false);
        }
        if (!select.value) {
          return;
        }
        fetch(url.replace("CODE", encodeURIComponent(select.value)), { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : { places: [] };
          })
          .then(function (data) {
            data.places.forEach(function (place) {
              next.add(new Option(place.name, place.code));
            });
            showGroup(next, data.places.length > 0);
          });
      });
    });
  }

  function countdown(button, seconds) {
    var label = button.textContent;
    var waitText = button.getAttribute("data-wait-text") || "";
    button.disabled = true;
    var timer = setInterval(function () {
      seconds -= 1;
      if (seconds <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = seconds + " " + waitText;
    }, 1000);
    button.textContent = seconds + " " + waitText;
  }

  function setUpCodeButton(button) {
    button.addEventListener("click", function (event) {
      var form = button.form;
      var status = document.getElementById("code-status");
      event.preventDefault();
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      body.append("phone", form.querySelector("input[name=phone]").value);
      body.append("purpose", button.getAttribute("data-purpose"));
      fetch(button.getAttribute("data-url"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          status.textContent = data.message;
          status.classList.toggle("is-error", !data.ok);
          if (data.ok) {
            countdown(button, 60);
            var code = form.querySelector("input[name=code]");
            if (code) {
              code.focus();
            }
          }
        });
    });
  }

  document.querySelectorAll("fieldset[data-places-url]").forEach(setUpPlaces);
  document.querySelectorAll("button[data-send-code]").forEach(setUpCodeButton);
  var errors = document.getElementById("form-errors");
  if (errors) {
    errors.focus();
  }
  var emergency = document.getElementById("emergency");
  if (emergency) {
    emergency.scrollIntoView();
  }
})();
