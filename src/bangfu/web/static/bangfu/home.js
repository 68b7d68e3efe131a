// The home page's township chart, drawn from data the page embeds (no extra request).
(function () {
  var el = document.getElementById("chart-breakdown");
  var dataEl = document.getElementById("chart-data");
  if (!el || !dataEl || !window.echarts) return;
  var data = JSON.parse(JSON.parse(dataEl.textContent));
  if (!data.names || !data.names.length) { el.style.display = "none"; return; }
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["农户", "监测对象"] },
    grid: { left: 50, right: 20, bottom: 80 },
    xAxis: { type: "category", data: data.names, axisLabel: { rotate: 45 } },
    yAxis: [{ type: "value", name: "农户" }, { type: "value", name: "监测对象" }],
    series: [
      { name: "农户", type: "bar", data: data.households, itemStyle: { color: "#1d5fa7" } },
      { name: "监测对象", type: "bar", yAxisIndex: 1, data: data.monitored, itemStyle: { color: "#b45309" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
