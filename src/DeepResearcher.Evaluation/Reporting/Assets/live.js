(function () {
  "use strict";
  // The live training view: polls api/live for the metrics.jsonl lines after the last offset and the newest GRPO
  // groups, redraws the curves and the groups. Run text goes through textContent only.
  var POLL_MS = Number(document.body.dataset.pollMs) || 2000;
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2"];
  var CHARTS = [
    { id: "reward", title: "Reward", series: [["reward mean", "reward_mean"], ["reward std", "reward_std"]] },
    { id: "f1", title: "F1 and answer rate", series: [["F1", "f1"], ["answer rate", "answer_rate"]] },
    { id: "tool_calls", title: "Tool calls per rollout", series: [["tool calls", function (m) { return num(m.searches) === null ? null : num(m.searches) + (num(m.browses) || 0); }], ["searches", "searches"], ["browses", "browses"]] },
    { id: "kl", title: "KL to the reference policy", series: [["KL", "kl"]] },
    { id: "entropy", title: "Entropy", series: [["entropy", "entropy"]] },
  ];
  var rows = [], offset = 0, groupsKey = "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }
  function value(row, key) { return typeof key === "function" ? key(row) : num(row[key]); }
  function fmt(v) { return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2); }

  function drawChart(box, chart) {
    var W = 560, H = 250, L = 52, R = 12, T = 34, B = 40;
    var steps = rows.map(function (r, i) { return num(r.step) === null ? i + 1 : r.step; });
    var values = [];
    chart.series.forEach(function (s) { rows.forEach(function (r) { var v = value(r, s[1]); if (v !== null) values.push(v); }); });
    var min = values.length ? Math.min(0, Math.min.apply(null, values)) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (max <= min) max = min + 1;
    max = max + (max - min) * 0.05;
    var x0 = steps.length ? Math.min.apply(null, steps) : 0, x1 = steps.length ? Math.max(Math.max.apply(null, steps), x0 + 1) : 1;
    function px(v) { return L + (W - L - R) * (v - x0) / (x1 - x0); }
    function py(v) { return H - B - (H - T - B) * (v - min) / (max - min); }
    var root = svg("svg", { "class": "chart", viewBox: "0 0 " + W + " " + H, role: "img", "data-chart": chart.id, "aria-label": chart.title });
    root.appendChild(svg("text", { x: 12, y: 20, "class": "chart-title" }, chart.title));
    for (var g = 0; g <= 4; g++) {
      var gv = min + (max - min) * g / 4, y = py(gv);
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: y, y2: y, "class": "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y + 4, "text-anchor": "end", "class": "tick" }, fmt(gv)));
    }
    root.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 10, "text-anchor": "middle", "class": "tick" }, "step"));
    chart.series.forEach(function (s, si) {
      var color = PALETTE[si % PALETTE.length], pts = [];
      rows.forEach(function (r, i) {
        var v = value(r, s[1]);
        if (v === null) return;
        pts.push(px(steps[i]).toFixed(1) + "," + py(v).toFixed(1));
        var dot = svg("circle", { cx: px(steps[i]).toFixed(1), cy: py(v).toFixed(1), r: 3, fill: color, "class": "pt", "data-series": s[0], "data-step": steps[i] });
        dot.appendChild(svg("title", {}, s[0] + " at step " + steps[i] + ": " + fmt(v)));
        root.appendChild(dot);
      });
      if (pts.length > 1) root.insertBefore(svg("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2 }), root.firstChild.nextSibling);
      root.appendChild(svg("text", { x: W - R - 130 * (chart.series.length - si), y: 20, fill: color, "class": "legend" }, "■ " + s[0]));
    });
    box.replaceChildren(root);
  }

  function drawCharts() {
    var host = document.getElementById("live-charts");
    CHARTS.forEach(function (chart) {
      var box = host.querySelector("[data-box='" + chart.id + "']");
      if (!box) { box = el("div", "chart-box"); box.dataset.box = chart.id; host.appendChild(box); }
      drawChart(box, chart);
    });
    document.getElementById("live-steps").textContent = String(rows.length);
  }

  function turnText(turn) {
    return turn.tool ? turn.tool.name + ": " + (turn.tool.queries.length ? turn.tool.queries : turn.tool.urls).join(" | ")
      : turn.answer !== null && turn.answer !== undefined ? "answer: " + turn.answer : turn.action + (turn.error ? ": " + turn.error : "");
  }

  function maskOverlay(t) {
    var box = el("details", "obs mask");
    box.appendChild(el("summary", null, "Loss mask (" + t.segments.filter(function (s) { return s.trained; }).length + " trained segments)"));
    var pre = el("pre", "mask-text");
    t.segments.forEach(function (s) {
      var span = el("span", "seg seg-" + s.kind + (s.trained ? " trained" : ""), s.text);
      span.title = s.kind + (s.trained ? " · trained (mask 1)" : " · not trained (mask 0)") + " · turn " + s.turn;
      pre.appendChild(span);
    });
    box.appendChild(pre);
    return box;
  }

  function drawGroups(data) {
    var key = JSON.stringify(data.groups.map(function (g) { return [g.step, g.question_id, g.trajectory_ids.filter(function (id) { return data.trajectories[id]; }).length]; }));
    if (key === groupsKey) return;
    groupsKey = key;
    var host = document.getElementById("live-groups");
    host.textContent = "";
    if (!data.groups.length) { host.appendChild(el("div", "empty", "No GRPO group yet: the first appears when the first step's rollouts are logged.")); return; }
    data.groups.slice().reverse().forEach(function (g) {
      var section = el("div", "live-group");
      section.dataset.step = g.step;
      var first = data.trajectories[g.trajectory_ids[0]];
      section.appendChild(el("h3", null, "Step " + g.step + " · " + g.question_id + (first ? " · " + first.question.slice(0, 100) : "")));
      var cols = el("div", "group-cols");
      g.trajectory_ids.forEach(function (id, i) {
        var t = data.trajectories[id], box = el("div", "rollout"), head = el("div", "head"), adv = Number(g.advantages[i]);
        head.appendChild(el("b", null, "Rollout " + (i + 1)));
        head.appendChild(el("span", null, "reward " + Number(g.rewards[i]).toFixed(2)));
        head.appendChild(el("span", adv >= 0 ? "adv-pos" : "adv-neg", "A " + (adv >= 0 ? "+" : "") + adv.toFixed(2)));
        box.appendChild(head);
        if (!t) { box.appendChild(el("div", "empty", "trajectory " + id + " not logged yet")); cols.appendChild(box); return; }
        var ol = el("ol");
        t.turns.forEach(function (turn) { ol.appendChild(el("li", null, turnText(turn))); });
        box.appendChild(ol);
        box.appendChild(el("span", "chip " + (t.termination === "answered" ? "term-answered" : "term-other"), t.termination));
        box.appendChild(maskOverlay(t));
        cols.appendChild(box);
      });
      section.appendChild(cols);
      host.appendChild(section);
    });
  }

  function status(text, ok) {
    var s = document.getElementById("live-status");
    s.textContent = text;
    s.className = ok ? "ok" : "err";
  }

  function poll() {
    fetch("api/live?offset=" + offset, { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        if (data.restarted) { rows = []; }
        var grew = data.metrics.length > 0 || data.restarted || rows.length === 0;
        Array.prototype.push.apply(rows, data.metrics);
        offset = data.offset;
        if (grew) drawCharts();
        drawGroups(data);
        status("updated " + new Date().toLocaleTimeString(), true);
      })
      .catch(function (e) { status("cannot reach the server (" + e.message + "); retrying", false); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  poll();
})();
