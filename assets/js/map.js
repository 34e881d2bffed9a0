// The map of /map and /embed/map: the village circle, and the located items that
// /map.geojson sends for the visible box and zoom (clusters computed by the server when
// zoomed out). Without tiles (no internet) the circle and the markers still show on the
// plain background; without JavaScript the page lists the items instead.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined" || !window.fetch) { return; }
  var d = box.dataset;

  // Text from the settings goes into Leaflet's HTML attribution: escape it.
  function escape(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  box.hidden = false;
  var centre = L.latLng(parseFloat(d.lat), parseFloat(d.lon));
  var map = L.map(box, { keyboard: true, minZoom: 2, maxZoom: 19, worldCopyJump: true });
  map.setView(centre, 12);
  if (d.tiles) {
    L.tileLayer(d.tiles, { maxZoom: 19, attribution: escape(d.attribution || "") }).addTo(map);
  }
  if (d.homeUrl) {
    var home = document.createElement("a");
    home.href = d.homeUrl;
    home.target = "_blank";
    home.rel = "noopener";
    home.textContent = d.homeLabel || "";
    map.attributionControl.setPrefix(home.outerHTML);
  }
  var village = L.circle(centre, {
    radius: parseFloat(d.radiusKm) * 1000,
    className: "map-village",
    interactive: false
  }).addTo(map);
  // The first view: the items of the village (the server's box), or else the circle; close
  // enough that a bourg's items show apart rather than as one cluster. Not animated: a click
  // during a zoom animation would be lost.
  var edges = (d.bounds || "").split(",").map(parseFloat);
  if (edges.length === 4 && edges.every(isFinite)) {
    map.fitBounds(L.latLngBounds([edges[1], edges[0]], [edges[3], edges[2]]), {
      animate: false, padding: [24, 24], maxZoom: 16
    });
  } else {
    map.fitBounds(village.getBounds(), { animate: false });
  }

  var layer = L.layerGroup().addTo(map);
  var asked = 0;

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function load() {
    var b = map.getBounds();
    var bbox = [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
    ].map(function (v) { return v.toFixed(6); }).join(",");
    var url = d.geojson + (d.geojson.indexOf("?") < 0 ? "?" : "&") +
      "bbox=" + bbox + "&zoom=" + Math.round(map.getZoom());
    var mine = ++asked;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) { if (fc && mine === asked) { draw(fc); } })
      .catch(function () { /* offline or server gone: keep what is drawn */ });
  }

  function cluster(ll, p) {
    var size = p.count < 10 ? 32 : p.count < 100 ? 40 : 48;
    var text = document.createElement("span");
    text.textContent = String(p.count);
    var marker = L.marker(ll, {
      icon: L.divIcon({ className: "map-cluster", html: text, iconSize: [size, size] }),
      title: (d.clusterLabel || "{n}").replace("{n}", String(p.count)),
      keyboard: true
    });
    marker.on("click", function () {
      var target = map.getZoom() + 2;
      if (p.bbox) {
        var bounds = L.latLngBounds([p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]);
        target = Math.max(target, map.getBoundsZoom(bounds, false, L.point(40, 40)));
        ll = bounds.getCenter();
      }
      map.setView(ll, Math.min(target, map.getMaxZoom()));
    });
    return marker;
  }

  // A pin: a 44 px target (touch) around a mark whose colour and shape tell the kind.
  function single(ll, p) {
    var kind = String(p.kind || "").replace(/[^a-z_]/g, "");
    var source = String(p.source || "").replace(/[^a-z_]/g, "");
    var marker = L.marker(ll, {
      icon: L.divIcon({
        className: "map-pin map-point source-" + source + " kind-" + kind,
        html: "<span></span>", iconSize: [44, 44]
      }),
      title: p.title,
      keyboard: true
    });
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.title;
    if (d.target) { link.target = d.target; link.rel = "noopener"; }
    marker.bindPopup(link);
    return marker;
  }

  function draw(fc) {
    layer.clearLayers();
    (fc.features || []).forEach(function (f) {
      var c = f.geometry.coordinates;
      var ll = L.latLng(c[1], c[0]);
      layer.addLayer(f.properties.cluster ? cluster(ll, f.properties) : single(ll, f.properties));
    });
  }

  map.on("moveend", load);
  load();
})();
