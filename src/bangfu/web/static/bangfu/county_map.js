// The county map: a schematic GeoJSON (one hexagon per township, reports/schematic.py) embedded in the page,
// coloured by the chosen indicator. Hover (or tap, on a phone) shows the township's figures; a click opens its
// dashboard. Nothing is fetched: no tile server, no map file from elsewhere.
(function () {
  var dataEl = document.getElementById("map-data");
  var el = document.getElementById("county-map");
  if (!dataEl || !el || !window.echarts) return;
  var data = JSON.parse(JSON.parse(dataEl.textContent));
  var locale = document.documentElement.lang || "zh-hans";
  var format = function (value) { return Number(value).toLocaleString(locale); };
  echarts.registerMap("county-schematic", data.geo);
  var byCode = {};
  data.data.forEach(function (row) { byCode[row.name] = row; });
  var values = data.data.map(function (row) { return row.value; });
  var max = Math.max.apply(null, values.concat([1]));
  var phone = window.matchMedia("(max-width: 700px)").matches;
  // the schematic is about twice as wide as it is tall; room below for the colour scale
  el.style.height = (phone ? Math.round(el.clientWidth * 0.5) + 70 : 460) + "px";
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {
      trigger: "item", triggerOn: phone ? "click" : "mousemove|click", confine: true,
      formatter: function (p) {
        var row = byCode[p.name];
        if (!row) return p.name;
        return "<strong>" + row.label + "</strong><br>" + row.figures.map(function (f) {
          return f[0] + "：" + format(f[1]);
        }).join("<br>");
      }
    },
    // the handles carry the scale's numbers (no second pair of end labels)
    visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                 formatter: function (v) { return format(Math.round(v)); }, inRange: { color: ["#eef4fb", "#93b8e0", "#1d5fa7", "#0b2f5b"] },
                 itemHeight: phone ? 120 : 200 },
    series: [{
      // A phone: the full width, height from the map's own proportions; wider screens: the box's height.
      type: "map", map: "county-schematic", roam: false, aspectScale: 1, top: 10,
      left: phone ? 4 : "center", right: phone ? 4 : null, bottom: phone ? null : 56,
      // dark text with a white halo on the pale fills, white text with a dark halo on the dark ones (per item below)
      label: { show: true, fontSize: phone ? 10 : 12, fontWeight: "bold", color: "#111", textBorderColor: "#fff",
               textBorderWidth: 2,
               formatter: function (p) {
                 var row = byCode[p.name];
                 if (!row) return p.name;
                 var name = phone ? row.short : row.label;  // the tooltip has the full name
                 if (phone && name.length > 4) name = name.slice(0, 3) + "…";
                 return name + "\n" + format(row.value);
               } },
      emphasis: { label: { show: true }, itemStyle: { areaColor: "#f59e0b" } },
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      data: data.data.map(function (row) {
        var dark = row.value / max > 0.45;  // past the scale's middle blue, the fill is too dark for dark text
        return { name: row.name, value: row.value,
                 label: dark ? { color: "#fff", textBorderColor: "#0b2f5b" } : {} };
      })
    }]
  });
  // On a phone the first tap shows the figures; a second tap on the same township opens its dashboard.
  var tapped = null;
  chart.on("click", function (p) {
    var row = byCode[p.name];
    if (!row) return;
    if (phone && tapped !== p.name) { tapped = p.name; return; }
    window.location.href = row.url;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
