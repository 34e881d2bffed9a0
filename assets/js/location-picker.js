// Location picker: on forms with latitude/longitude inputs, shows a map where a click sets
// the position. Without JavaScript (or without tiles) the two inputs still work as typed.
(function () {
  "use strict";
  var box = document.getElementById("location-picker");
  var lat = document.getElementById("f-lat");
  var lon = document.getElementById("f-lon");
  if (!box || !lat || !lon || typeof L === "undefined") { return; }

  function num(input) {
    var v = parseFloat(String(input.value).replace(",", "."));
    return isFinite(v) ? v : null;
  }

  var centre = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
  var start = num(lat) !== null && num(lon) !== null ? [num(lat), num(lon)] : centre;
  box.hidden = false;
  var map = L.map(box, { keyboard: true }).setView(start, num(lat) !== null ? 16 : 13);
  L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  var marker = null;

  function place(latlng, updateInputs) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    if (updateInputs) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
    }
  }

  if (num(lat) !== null && num(lon) !== null) { place(L.latLng(start), false); }
  map.on("click", function (e) { place(e.latlng, true); });
  function typed() {
    if (num(lat) !== null && num(lon) !== null) {
      var ll = L.latLng(num(lat), num(lon));
      place(ll, false);
      map.panTo(ll);
    }
  }
  lat.addEventListener("change", typed);
  lon.addEventListener("change", typed);
})();
