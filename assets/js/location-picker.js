// Location picker: a map where a click sets a position, for every box with the class
// `location-picker` (or the id `location-picker`). Its data attributes name what it works on:
//   data-lat-input, data-lon-input   ids of the latitude and longitude inputs (f-lat, f-lon)
//   data-radius-input                id of a radius input in km: the circle is drawn and follows
//   data-clear-input                 id of an input a click empties (a name it replaces)
//   data-lat, data-lon, data-zoom    the view while the inputs are empty
//   data-tiles, data-attribution     the tile layer (none: a plain background)
// A click writes the position with 6 decimals and sends "input" and "change" events; typed
// or filled inputs move the marker and the circle.
// Without JavaScript the box stays hidden and the inputs work as typed; without tiles
// (offline) the background is plain and a click still works.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function num(input) {
    if (!input) { return null; }
    var v = parseFloat(String(input.value).trim().replace(",", "."));
    return isFinite(v) ? v : null;
  }

  function escape(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function enhance(box) {
    var d = box.dataset;
    var lat = document.getElementById(d.latInput || "f-lat");
    var lon = document.getElementById(d.lonInput || "f-lon");
    var radius = d.radiusInput ? document.getElementById(d.radiusInput) : null;
    var clears = d.clearInput ? document.getElementById(d.clearInput) : null;
    if (!lat || !lon) { return; }

    function position() {
      var a = num(lat), o = num(lon);
      return a !== null && o !== null && Math.abs(a) <= 90 && Math.abs(o) <= 180 ? L.latLng(a, o) : null;
    }
    function metres() {
      var r = num(radius);
      return r !== null && r > 0 && r <= 500 ? r * 1000 : null;
    }

    box.hidden = false;
    // A hint that speaks of the map shows with it.
    var hint = document.getElementById(box.getAttribute("aria-describedby") || "");
    if (hint) { hint.hidden = false; }
    var map = L.map(box, { keyboard: true, maxZoom: 19 });
    if (d.tiles) {
      L.tileLayer(d.tiles, { maxZoom: 19, attribution: escape(d.attribution || "") }).addTo(map);
    }
    var marker = null;
    var circle = null;

    // Draws the marker and the circle where the inputs say; `follow` moves the view to them.
    function draw(follow) {
      var at = position();
      var m = metres();
      if (!at) {
        if (marker) { map.removeLayer(marker); marker = null; }
        if (circle) { map.removeLayer(circle); circle = null; }
        return;
      }
      var first = !marker;
      if (marker) { marker.setLatLng(at); } else { marker = L.marker(at, { keyboard: false }).addTo(map); }
      if (m !== null) {
        if (circle) {
          circle.setLatLng(at);
          circle.setRadius(m);
        } else {
          circle = L.circle(at, {
            radius: m, className: "map-village", interactive: false,
            color: "#2f6b4f", weight: 2, fillOpacity: 0.06, dashArray: "6 4"
          }).addTo(map);
        }
      } else if (circle) {
        map.removeLayer(circle);
        circle = null;
      }
      if (!follow) { return; }
      if (first) {
        // Placed for the first time (typed, or filled from a name): the view comes to it.
        if (circle) { map.fitBounds(circle.getBounds(), { animate: false }); } else { map.setView(at, 16, { animate: false }); }
      } else if (circle) {
        // The circle whole in view; a smaller one keeps the zoom, so its size shows the change.
        if (!map.getBounds().contains(circle.getBounds())) {
          map.fitBounds(circle.getBounds(), { animate: false });
        } else if (!map.getBounds().contains(at)) {
          map.panTo(at, { animate: false });
        }
      } else {
        map.panTo(at, { animate: false });
      }
    }

    // A view first: the circle can tell its bounds only once on a map that has one.
    var start = position();
    if (start) {
      map.setView(start, 16);
      draw(false);
      if (circle) { map.fitBounds(circle.getBounds(), { animate: false }); }
    } else {
      var zoom = parseInt(d.zoom || "13", 10);
      map.setView([parseFloat(d.lat) || 0, parseFloat(d.lon) || 0], isFinite(zoom) ? zoom : 13);
    }

    var clicking = false;
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      if (clears) { clears.value = ""; }
      draw(false);
      // Others may listen (the events the click sends do not move the view).
      clicking = true;
      [lat, lon].forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      clicking = false;
    });
    // Coordinates follow when a typed value is complete ("change") or when a script filled
    // them ("input" sent by a script, not a keystroke); the circle follows each keystroke.
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () { draw(!clicking); });
      input.addEventListener("input", function (e) { if (!e.isTrusted) { draw(!clicking); } });
    });
    if (radius) {
      radius.addEventListener("input", function () { draw(false); });
      radius.addEventListener("change", function () { draw(true); });
    }
  }

  var boxes = document.querySelectorAll("#location-picker, .location-picker");
  for (var i = 0; i < boxes.length; i++) { enhance(boxes[i]); }
})();
