// Draws the sites of a project on an OpenStreetMap map. The table below the map lists the
// same sites, so the page says everything without JavaScript.
(function () {
  "use strict";
  function drawSiteMap() {
    var container = document.getElementById("site-map");
    var data = document.getElementById("site-map-data");
    if (!container || !data || typeof L === "undefined") {
      return;
    }
    var points = JSON.parse(data.textContent);
    var map = L.map(container, { scrollWheelZoom: false }).setView([51.16, 10.45], 6);
    L.tileLayer(container.dataset.tiles, {
      maxZoom: 18,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    }).addTo(map);
    var colours = { active: "#1b7a3a", planned: "#b36b00", ended: "#6b6b6b" };
    var bounds = [];
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: point.origin ? 10 : 7,
        color: colours[point.status] || "#1b4f9c",
        weight: 2,
        fillOpacity: 0.7,
        className: "site-marker site-marker-" + point.status,
      }).addTo(map);
      var label = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = point.name;
      label.appendChild(title);
      label.appendChild(document.createElement("br"));
      label.appendChild(document.createTextNode(
        [point.operator, point.since, point.status_label].filter(Boolean).join(" · ")
      ));
      marker.bindPopup(label);
      marker.bindTooltip(point.name);
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 9);
    }
    container.dataset.ready = "true";
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawSiteMap);
  } else {
    drawSiteMap();
  }
})();
