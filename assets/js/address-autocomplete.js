// Address fields: every input with a data-address attribute suggests the addresses imported
// from the national address base (GET /api/v1/addresses, answered by this server: no online
// geocoder). Picking one fills the inputs named by data-lat-input and data-lon-input (ids) and
// tells them with a "change" event, which the map picker listens to. Without JavaScript the
// field is a plain text input, and the server finds the coordinates when the form is sent.
(function () {
  "use strict";
  var DELAY_MS = 200;
  var MIN_CHARS = 3;
  var LIMIT = 10;

  function enhance(input, n) {
    var latInput = document.getElementById(input.dataset.latInput || "");
    var lonInput = document.getElementById(input.dataset.lonInput || "");
    var list = document.createElement("datalist");
    list.id = (input.id || "address-" + n) + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);

    var found = [];   // the suggestions shown, as received
    var timer = null;
    var asked = 0;    // number of the latest request: older answers are dropped

    function show(items) {
      found = items;
      list.replaceChildren.apply(list, items.map(function (s) {
        var option = document.createElement("option");
        option.value = s.label;
        return option;
      }));
    }

    function fill(s) {
      [[latInput, s.lat], [lonInput, s.lon]].forEach(function (pair) {
        if (!pair[0]) { return; }
        pair[0].value = Number(pair[1]).toFixed(6);
        pair[0].dispatchEvent(new Event("change", { bubbles: true }));
      });
    }

    function ask(text) {
      var mine = ++asked;
      fetch("/api/v1/addresses?limit=" + LIMIT + "&q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          if (mine === asked && Array.isArray(items)) { show(items); }
        })
        .catch(function () { /* offline or no base: the field stays a plain field */ });
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      // A suggestion picked from the list arrives as an input whose value is its label.
      var picked = found.filter(function (s) { return s.label === input.value; })[0];
      if (picked) {
        clearTimeout(timer);
        fill(picked);
        return;
      }
      clearTimeout(timer);
      if (text.length < MIN_CHARS) {
        asked++;
        show([]);
        return;
      }
      timer = setTimeout(function () { ask(text); }, DELAY_MS);
    });
  }

  var inputs = document.querySelectorAll("input[data-address]");
  for (var i = 0; i < inputs.length; i++) { enhance(inputs[i], i); }
})();
