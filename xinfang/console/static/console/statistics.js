// Statistics charts (ECharts, served locally). Each chart reads its data from a JSON script
// element (no inline script: the Content-Security-Policy forbids it); the same numbers are in
// the table next to it.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var names = zh ? { received: "收信数", replied: "答复数" } : { received: "Received", replied: "Replied" };
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.labels || data.labels.length === 0) { box.hidden = true; return; }
    var line = box.getAttribute("data-chart") === "trend-data";
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { data: [names.received, names.replied] },
      grid: { left: 48, right: 16, bottom: line ? 32 : 80, top: 32 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: line ? 0 : 30, interval: line ? "auto" : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: names.received, type: line ? "line" : "bar", data: data.received },
        { name: names.replied, type: line ? "line" : "bar", data: data.replied }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
