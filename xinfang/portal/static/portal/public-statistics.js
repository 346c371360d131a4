// The public statistics page's chart (ECharts, served locally). The data is in a JSON script
// element (the Content-Security-Policy forbids inline script); the same numbers are in the table.
// Counts are bars on the left axis, rates (%) lines on the right one.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  document.querySelectorAll("[data-public-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-public-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var narrow = box.clientWidth < 480;
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 40, bottom: 32, top: narrow ? 64 : 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: narrow ? 2 : 0 } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: data.series.map(function (s) {
        var rate = s.unit === "%";
        return { name: s.name, type: rate ? "line" : "bar", yAxisIndex: rate ? 1 : 0, data: s.values, connectNulls: false };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
