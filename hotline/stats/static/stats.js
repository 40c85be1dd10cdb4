/* Statistics pages: show only the period fields the chosen period uses, and draw the
   charts with Plotly (served by the app) from the page's <script type="application/json">.
   Without JavaScript every field shows and the figures stay readable in their tables. */
(function () {
  "use strict";

  var OUTCOME_COLOURS = {
    answered: "#1e7a3c",
    voicemail: "#1f5fae",
    missed: "#b3261e",
    abandoned: "#d08a00",
    failed: "#5f6b7a"
  };
  // A second cue besides colour, for colour-blind readers and black-and-white prints: each
  // outcome's bars carry their own hatching (answered: plain), in the legend too.
  var OUTCOME_PATTERNS = {
    answered: "",
    voicemail: "/",
    missed: "x",
    abandoned: "\\",
    failed: "."
  };
  var HEATMAP_COLOURS = {
    calls: [[0, "#f3f5f8"], [1, "#1f5fae"]],
    misses: [[0, "#fbf0ef"], [1, "#b3261e"]]
  };
  var CONFIG = { displayModeBar: false, responsive: true };
  // Plotly writes numbers the American way by default: French has a decimal comma and a
  // narrow no-break space between thousands ("1 250"), as the page's tables do.
  var SEPARATORS = document.documentElement.lang === "fr" ? ",\u202f" : ".,";

  function showPeriodFields() {
    document.querySelectorAll("[data-period-fields]").forEach(function (box) {
      var select = box.querySelector("[data-period-select]");
      if (!select) {
        return;
      }
      var update = function () {
        box.querySelectorAll("[data-period-for]").forEach(function (part) {
          part.hidden = part.getAttribute("data-period-for") !== select.value;
        });
      };
      select.addEventListener("change", update);
      update();
    });
  }

  // Filters folded for a phone stay open where there is room for them.
  function openWhereRoomy() {
    if (!window.matchMedia("(min-width: 40rem)").matches) {
      return;
    }
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }

  // A chart is an image named after the table of its figures (its aria-label): what Plotly
  // draws in it would otherwise be read out too, its labels and counts in a jumble.
  function hideDrawing(chart) {
    Array.prototype.forEach.call(chart.children, function (part) {
      part.setAttribute("aria-hidden", "true");
    });
  }

  function drawTrend(element, data) {
    var traces = data.trend.series.map(function (series) {
      return {
        type: "bar",
        name: series.name,
        x: data.trend.days,
        y: series.values,
        marker: {
          color: OUTCOME_COLOURS[series.outcome],
          pattern: { shape: OUTCOME_PATTERNS[series.outcome], fillmode: "replace", size: 7 }
        }
      };
    });
    var most = Math.max.apply(null, data.trend.days.map(function (day, i) {
      return data.trend.series.reduce(function (sum, series) { return sum + series.values[i]; }, 0);
    }));
    var layout = {
      separators: SEPARATORS,
      barmode: "stack",
      // Room on the right for the last rotated date label.
      margin: { t: 10, r: 40, b: 70, l: 50 },
      legend: { orientation: "h", y: -0.25, traceorder: "normal" },
      // Not zoomable: on a phone a swipe over the chart would zoom it, not scroll the page.
      xaxis: { type: "category", fixedrange: true, automargin: true },
      yaxis: {
        title: { text: data.count_label },
        rangemode: "tozero",
        fixedrange: true,
        dtick: Math.max(1, Math.ceil(most / 5))  // whole calls
      }
    };
    Plotly.newPlot(element, traces, layout, CONFIG).then(hideDrawing);
  }

  // Under this width (px) the 24 hours across leave cells too narrow for a two-digit count
  // in 12 px: Plotly shrinks the counts to fit their cells, to 6 px on a 390 px phone. There
  // the map turns, the 7 days across and the hours down, read by scrolling the page as a
  // phone does; the whole week stays in view, with no sideways scrolling inside the map.
  var HOURS_ACROSS_MIN_WIDTH = 560;

  function transposed(z) {
    return z[0].map(function (_, hour) { return z.map(function (row) { return row[hour]; }); });
  }

  function heatmapFigure(map, data, hoursDown) {
    var z = hoursDown ? transposed(map.z) : map.z;
    var most = Math.max.apply(null, z.map(function (row) { return Math.max.apply(null, row); }));
    var trace = {
      type: "heatmap",
      z: z,
      x: hoursDown ? data.weekdays : data.hours,
      y: hoursDown ? data.hours : data.weekdays,
      colorscale: HEATMAP_COLOURS[map.id],
      zmin: 0,
      // Cells a pixel apart: also drawn without the inline style a gapless map needs.
      xgap: 1,
      ygap: 1,
      // Each cell says its count (none for zero), in a size that fits the cell: the shade
      // is not the only cue.
      text: z.map(function (row) { return row.map(function (n) { return n ? String(n) : ""; }); }),
      texttemplate: "%{text}",
      // Whole calls on the scale: steps of at least one.
      colorbar: { dtick: Math.max(1, Math.ceil(most / 5)), thickness: 14 },
      // The day first, then the hour, whichever way the map is turned.
      hovertemplate: (hoursDown ? "%{x} %{y}" : "%{y} %{x}") + " : %{z}<extra></extra>"
    };
    var layout = {
      separators: SEPARATORS,
      margin: hoursDown ? { t: 30, r: 10, b: 10, l: 50 } : { t: 10, r: 10, b: 40, l: 50 },
      yaxis: { autorange: "reversed", fixedrange: true },
      // Turned, the days head their columns, next to the map's title.
      xaxis: { fixedrange: true, side: hoursDown ? "top" : "bottom" }
    };
    return { data: [trace], layout: layout };
  }

  function wantsHoursDown(element) {
    return element.clientWidth < HOURS_ACROSS_MIN_WIDTH;
  }

  function drawHeatmap(element, data) {
    var map = data.heatmaps[Number(element.getAttribute("data-heatmap"))];
    var hoursDown = wantsHoursDown(element);
    // The class sets the turned map's height (stats.css), before Plotly reads it.
    element.classList.toggle("hours-down", hoursDown);
    var figure = heatmapFigure(map, data, hoursDown);
    Plotly.react(element, figure.data, figure.layout, CONFIG).then(hideDrawing);
  }

  // A phone turned sideways, a window made wider: turn the maps if their width asks for it.
  function redrawHeatmapsOnResize(data) {
    window.addEventListener("resize", function () {
      document.querySelectorAll("[data-heatmap]").forEach(function (element) {
        if (wantsHoursDown(element) !== element.classList.contains("hours-down")) {
          drawHeatmap(element, data);
        }
      });
    });
  }

  function drawCharts() {
    var holder = document.getElementById("stats-charts");
    if (!holder || typeof window.Plotly === "undefined") {
      return;
    }
    var data = JSON.parse(holder.textContent);
    var trend = document.querySelector("[data-chart=trend]");
    if (trend) {
      drawTrend(trend, data);
    }
    document.querySelectorAll("[data-heatmap]").forEach(function (element) {
      drawHeatmap(element, data);
    });
    redrawHeatmapsOnResize(data);
  }

  // On paper the figures' tables come out under the charts, opened for the print only:
  // read in black and white or by someone who cannot tell the colours apart.
  function openTablesForPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = Array.prototype.filter.call(
        document.querySelectorAll("section.charts details"),
        function (details) { return !details.open; }
      );
      opened.forEach(function (details) { details.open = true; });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (details) { details.open = false; });
      opened = [];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    openWhereRoomy();
    openTablesForPrint();
    showPeriodFields();
    drawCharts();
  });
})();
