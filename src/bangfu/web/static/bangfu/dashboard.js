// The dashboard's charts, drawn from the figures the page embeds (no extra request). Each bar or point is a
// figure: a click opens the list behind it (the same URL as the figure's link in the table under the chart).
// Several series in one group share one scale only when they count the same thing (projects and their money are
// drawn as two charts side by side would be misleading: money goes on its own axis).
(function () {
  var dataEl = document.getElementById("dashboard-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(JSON.parse(dataEl.textContent));
  var labels = data.labels || {};
  var colors = ["#1d5fa7", "#b91c1c", "#b45309", "#047857", "#6d28d9"];
  var locale = document.documentElement.lang || "zh-hans";
  var format = function (value) { return Number(value).toLocaleString(locale); };

  Object.keys(data.groups).forEach(function (key) {
    var group = data.groups[key];
    var el = document.getElementById("chart-" + key);
    if (!el || !group.cells.length) return;
    var categories = [], seriesKeys = [], values = {}, urls = {};
    group.cells.forEach(function (cell) {
      if (categories.indexOf(cell.label) < 0) categories.push(cell.label);
      if (seriesKeys.indexOf(cell.series) < 0) { seriesKeys.push(cell.series); values[cell.series] = {}; urls[cell.series] = {}; }
      values[cell.series][cell.label] = cell.value;
      urls[cell.series][cell.label] = cell.url;
    });
    var horizontal = group.chart === "bar" && categories.length > 6;
    var money = seriesKeys.indexOf("project_funds") >= 0;
    if (horizontal) el.style.height = Math.max(200, 70 + categories.length * 18 * seriesKeys.length) + "px";
    var chart = echarts.init(el);
    var axes = money ? [{ type: "value", minInterval: 1, axisLabel: { formatter: format } },
                        { type: "value", axisLabel: { formatter: format }, splitLine: { show: false } }]
                     : { type: "value", minInterval: 1, axisLabel: { formatter: format } };
    var narrow = el.clientWidth < 600;
    var category = { type: "category", data: horizontal ? categories.slice().reverse() : categories,
                     axisLabel: { interval: group.chart === "line" ? "auto" : 0,
                                  rotate: !horizontal && (categories.length > 8 || narrow && categories.length > 3) ? 45 : 0 } };
    chart.setOption({
      color: colors,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: format },
      legend: { top: 0, data: seriesKeys.map(function (s) { return labels[s] || s; }) },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? axes : category,
      yAxis: horizontal ? category : axes,
      series: seriesKeys.map(function (s, i) {
        var order = horizontal ? categories.slice().reverse() : categories;
        return { name: labels[s] || s, type: group.chart === "line" ? "line" : "bar",
                 yAxisIndex: !horizontal && money && s === "project_funds" ? 1 : 0,
                 data: order.map(function (c) { return { value: values[s][c] || 0, url: urls[s][c] }; }),
                 label: { show: categories.length <= 14 && group.chart !== "line" && !(narrow && money),
                          position: horizontal ? "right" : "top",
                          formatter: function (p) { return p.value ? format(p.value) : ""; } } };
      })
    });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
