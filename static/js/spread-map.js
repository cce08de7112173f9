// Plays the spread of an idea on a map: a year slider and a Play/Pause button show which sites
// (or, platform-wide, which municipalities) were running in each year. The small maps and the
// family tree on the page say the same without JavaScript; the map figure stays hidden then.
//
// Data: {first_year, last_year, points: [[lat, lon, start, end, label, weight, origin], ...]}
// from a json_script element (data-json) or a same-origin URL (data-src). A point shows in the
// years start..end; end null means it still runs.
(function () {
  "use strict";
  var STEP_MS = 900;
  var MANY_POINTS = 400; // beyond this, draw on a canvas: thousands of SVG paths are slow

  function format(template, count, name) {
    return template
      .replace("{count}", count.toLocaleString(document.documentElement.lang))
      .replace("{name}", name || "");
  }

  // A project's points carry a ready label; the platform's a place name and its active sites.
  function tooltip(container, point) {
    var template = point[5] === 1 ? container.dataset.tooltipOne : container.dataset.tooltipOther;
    return template ? format(template, point[5], point[4]) : point[4];
  }

  // A project's few sites get clear dots; thousands of places small ones, by active sites.
  function radius(point, many) {
    if (point[6]) {
      return 10;
    }
    if (many) {
      return Math.min(1.5 + Math.sqrt(point[5]), 9);
    }
    return point[5] > 1 ? Math.min(4 + 2 * Math.sqrt(point[5]), 18) : 6;
  }

  function draw(figure, container, data) {
    var slider = document.getElementById("spread-year-input");
    var button = document.getElementById("spread-play");
    var yearText = document.getElementById("spread-year");
    var countText = document.getElementById("spread-count");
    var points = data.points || [];
    var first = data.first_year;
    var last = data.last_year;
    var many = points.length > MANY_POINTS;
    var renderer = many ? L.canvas() : L.svg();
    var map = L.map(container, { scrollWheelZoom: false, renderer: renderer }).setView(
      [51.16, 10.45],
      6
    );
    L.tileLayer(container.dataset.tiles, {
      maxZoom: 18,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    }).addTo(map);

    var bounds = [];
    var markers = points.map(function (point) {
      var marker = L.circleMarker([point[0], point[1]], {
        radius: radius(point, many),
        color: point[6] ? "#073763" : "#0b5394",
        weight: point[6] ? 3 : many ? 0.5 : 1.5,
        fillColor: point[6] ? "#0b5394" : "#3d85c6",
        fillOpacity: many ? 0.45 : 0.6,
        className: "spread-marker" + (point[6] ? " spread-marker-origin" : ""),
      });
      marker.bindTooltip(tooltip(container, point));
      bounds.push([point[0], point[1]]);
      return { point: point, marker: marker, shown: false };
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 9);
    }

    slider.min = first;
    slider.max = last;

    function show(year) {
      var count = 0;
      markers.forEach(function (entry) {
        var point = entry.point;
        var visible = point[2] <= year && (point[3] === null || year <= point[3]);
        if (visible && !entry.shown) {
          entry.marker.addTo(map);
        } else if (!visible && entry.shown) {
          entry.marker.remove();
        }
        entry.shown = visible;
        count += visible ? 1 : 0;
      });
      slider.value = year;
      yearText.textContent = year;
      countText.textContent = format(
        count === 1 ? container.dataset.countOne : container.dataset.countOther,
        count
      );
    }

    var timer = null;
    function stop() {
      if (timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
      button.textContent = button.dataset.labelPlay;
    }
    function play() {
      var year = Number(slider.value);
      if (year >= last) {
        year = first;
        show(year);
      }
      button.textContent = button.dataset.labelPause;
      timer = window.setInterval(function () {
        year += 1;
        show(year);
        if (year >= last) {
          stop();
        }
      }, STEP_MS);
    }
    button.addEventListener("click", function () {
      if (timer === null) {
        play();
      } else {
        stop();
      }
    });
    slider.addEventListener("input", function () {
      stop();
      show(Number(slider.value));
    });

    show(last);
    container.dataset.ready = "true";
  }

  function init() {
    var figure = document.getElementById("spread-map-figure");
    var container = document.getElementById("spread-map");
    if (!figure || !container || typeof L === "undefined") {
      return;
    }
    // Leaflet needs the map's size, so show the figure before drawing.
    figure.hidden = false;
    if (container.dataset.src) {
      window
        .fetch(container.dataset.src, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          draw(figure, container, data);
        })
        .catch(function () {
          figure.hidden = true; // the small maps below still tell the story
        });
    } else {
      var data = document.getElementById(container.dataset.json);
      if (data) {
        draw(figure, container, JSON.parse(data.textContent));
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
