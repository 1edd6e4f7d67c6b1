// Draw every figure of the page from its JSON spec (plotly.js is served by the explorer itself).
(function () {
  for (const holder of document.querySelectorAll("figure.plot")) {
    const spec = JSON.parse(holder.querySelector("script.plot-spec").textContent);
    const target = holder.querySelector(".plot-target");
    Plotly.newPlot(target, spec.data, spec.layout, { displaylogo: false, responsive: true });
  }
})();
