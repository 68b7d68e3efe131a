// The home page's breakdown charts, drawn from data the page embeds (no extra request). Two charts, each with
// one scale: households in one, monitored and risk-open households in the other (a bar of 7 never stands
// taller than one of 350). Horizontal bars, so short place names (团结村) read in full on a phone; integer ticks;
// legend and axis words come from the page in the reader's language.
(function () {
  var dataEl = document.getElementById("chart-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(JSON.parse(dataEl.textContent));
  if (!data.names || !data.names.length) return;
  var L = data.labels || {};
  var names = data.names.slice().reverse();  // top to bottom in the table's order
  var rev = function (values) { return values.slice().reverse(); };
  var locale = document.documentElement.lang || "zh-hans";
  var format = function (value) { return Number(value).toLocaleString(locale); };

  function draw(id, series) {
    var el = document.getElementById(id);
    if (!el) return;
    el.style.height = Math.max(160, 60 + names.length * 22 * Math.max(1, series.length * 0.75)) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: format },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 32, top: 32, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: L.unit, nameLocation: "middle", nameGap: 24,
               axisLabel: { formatter: format } },
      yAxis: { type: "category", data: names, axisLabel: { interval: 0 } },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: rev(s.data), itemStyle: { color: s.color },
                 label: { show: names.length <= 20, position: "right", formatter: function (p) { return p.value ? format(p.value) : ""; } } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("chart-households", [{ name: L.households, data: data.households, color: "#1d5fa7" }]);
  draw("chart-monitored", [
    { name: L.monitored, data: data.monitored, color: "#b45309" },
    { name: L.risk_open, data: data.risk_open, color: "#b91c1c" }
  ]);
})();
