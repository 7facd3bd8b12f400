// Draws the dashboard's "Decisions over time" chart with Airlock's own copy of
// uPlot, from the JSON block the page carries (no second request, no inline
// script: the Content-Security-Policy allows neither). Without script the
// table under the chart holds the same numbers.
(function () {
  'use strict';
  var COLOURS = { allow: '#1c7c3c', constrain: '#1f5fbf', queue_for_approval: '#a35200', deny: '#b3261e', fallback: '#6b3fa0' };
  function draw() {
    var holder = document.getElementById('decisions-chart');
    var source = document.getElementById('decisions-data');
    if (!holder || !source || typeof uPlot === 'undefined') return;
    var data = JSON.parse(source.textContent);
    var width = function () { return Math.max(280, holder.clientWidth); };
    var series = [{ label: 'From' }];
    var columns = [data.x];
    data.series.forEach(function (s) {
      var colour = COLOURS[s.decision] || '#5b6475';
      series.push({ label: s.decision, stroke: colour, width: 2, points: { show: data.x.length <= 31 } });
      columns.push(s.counts);
    });
    var plot = new uPlot(
      { width: width(), height: 260, series: series, axes: [{}, { label: 'actions', size: 60 }], scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } } },
      columns,
      holder,
    );
    window.addEventListener('resize', function () { plot.setSize({ width: width(), height: 260 }); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
