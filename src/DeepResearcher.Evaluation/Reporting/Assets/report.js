(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("run-data").textContent);
  var PAGE = 100;

  // Every piece of run text goes through textContent: observations hold arbitrary HTML from the web.
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1); }
  function scoreClass(v) { return v === null || v === undefined ? "s-na" : v >= 0.6 ? "s-good" : v >= 0.3 ? "s-mid" : "s-bad"; }
  function scoreBadge(v, title) { var b = el("span", "score " + scoreClass(v), pct(v)); if (title) b.title = title; return b; }

  function initViewer() {
    var root = document.getElementById("viewer");
    if (!root) return;
    var list = root.querySelector(".qlist");
    var search = root.querySelector("#f-text"), source = root.querySelector("#f-source"),
        score = root.querySelector("#f-score"), term = root.querySelector("#f-term"), count = root.querySelector(".count");
    fillSelect(source, unique(data.questions.map(function (q) { return q.source; })));
    fillSelect(term, unique(data.questions.map(function (q) { return q.termination; })));
    var shown = PAGE;

    function matches(q) {
      var text = search.value.trim().toLowerCase();
      if (text && (q.id + " " + q.question + " " + q.prediction + " " + q.answers.join(" ")).toLowerCase().indexOf(text) < 0) return false;
      if (source.value && q.source !== source.value) return false;
      if (term.value && q.termination !== term.value) return false;
      switch (score.value) {
        case "correct": return q.em === 1;
        case "partial": return q.f1 > 0 && q.em < 1;
        case "wrong": return q.f1 === 0;
        case "mbe1": return q.mbe === 1;
        case "mbe0": return q.mbe === 0;
        case "unjudged": return q.mbe === null || q.mbe === undefined;
        default: return true;
      }
    }

    function render() {
      list.textContent = "";
      var hits = data.questions.filter(matches);
      count.textContent = hits.length + " of " + data.questions.length + " shown";
      if (hits.length === 0) list.appendChild(el("div", "empty", "No question matches these filters."));
      hits.slice(0, shown).forEach(function (q) { list.appendChild(questionCard(q)); });
      if (hits.length > shown) {
        var more = el("button", "more", "Show " + Math.min(PAGE, hits.length - shown) + " more");
        more.addEventListener("click", function () { shown += PAGE; render(); });
        list.appendChild(more);
      }
    }
    [search, source, score, term].forEach(function (c) { c.addEventListener("input", function () { shown = PAGE; render(); }); });
    render();
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function unique(values) { return values.filter(function (v, i) { return v && values.indexOf(v) === i; }).sort(); }
  function fillSelect(select, values) { values.forEach(function (v) { var o = el("option", null, v); o.value = v; select.appendChild(o); }); }

  function questionCard(q) {
    var card = el("div", "q");
    card.dataset.id = q.id;
    var row = el("div", "q-row");
    row.setAttribute("role", "button");
    row.tabIndex = 0;
    row.appendChild(scoreBadge(q.f1, "F1"));
    var mid = el("div");
    mid.appendChild(el("div", "qtext", q.question));
    var sub = el("div", "qsub");
    sub.appendChild(document.createTextNode(q.id + (q.sample ? " #" + q.sample : "") + " · " + q.source + " · answer: "));
    sub.appendChild(el("span", "pred", q.prediction || "(none)"));
    sub.appendChild(document.createTextNode(" · gold: " + q.answers.join(" | ")));
    mid.appendChild(sub);
    row.appendChild(mid);
    var chips = el("div", "chips");
    if (q.mbe !== null && q.mbe !== undefined) chips.appendChild(el("span", "chip " + (q.mbe ? "term-answered" : "term-other"), q.mbe ? "MBE ✓" : "MBE ✗"));
    if (q.judge_failed) chips.appendChild(el("span", "chip term-other", "judge failed"));
    if (q.hops) chips.appendChild(el("span", "chip", q.hops + " hop" + (q.hops === 1 ? "" : "s")));
    chips.appendChild(el("span", "chip tool-search", plural(q.searches || 0, "search", "searches")));
    chips.appendChild(el("span", "chip tool-browse", plural(q.browses || 0, "browse", "browses")));
    chips.appendChild(el("span", "chip " + (q.termination === "answered" ? "term-answered" : "term-other"), q.termination));
    row.appendChild(chips);
    card.appendChild(row);
    var detail = null;
    function toggle() {
      if (!detail) { detail = questionDetail(q); card.appendChild(detail); }
      else detail.hidden = !detail.hidden;
      card.classList.toggle("open", !detail.hidden);
    }
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    return card;
  }

  function questionDetail(q) {
    var box = el("div", "q-detail");
    var kv = el("dl", "kv");
    function pair(k, v) { kv.appendChild(el("dt", null, k)); var dd = el("dd"); if (v instanceof Node) dd.appendChild(v); else dd.textContent = v; kv.appendChild(dd); }
    pair("Question", q.question);
    pair("Gold answers", q.answers.join(" | "));
    pair("Prediction", q.prediction || "(no answer)");
    var scores = el("span");
    [["EM", q.em], ["F1", q.f1], ["set-F1", q.set_f1], ["cover-EM", q.cover_em], ["MBE", q.mbe]].forEach(function (s) {
      scores.appendChild(document.createTextNode(" " + s[0] + " ")); scores.appendChild(scoreBadge(s[1]));
    });
    pair("Scores", scores);
    var t = data.trajectories[q.tid];
    if (t) {
      pair("Ended", t.termination + (t.detail ? " — " + t.detail : ""));
      pair("Time / tokens", (t.elapsed_ms / 1000).toFixed(1) + " s · " + t.tokens + " completion tokens");
    }
    box.appendChild(kv);
    if (!t) { box.appendChild(el("div", "empty", "No trajectory recorded for " + q.tid + ".")); return box; }
    t.turns.forEach(function (turn) { box.appendChild(turnView(turn)); });
    return box;
  }

  function turnView(turn) {
    var tool = turn.tool;
    var kind = turn.action === "answer" ? "t-answer" : turn.action === "error" ? "t-error" : tool && tool.name === "browse_webpage" ? "t-browse" : "t-search";
    var box = el("div", "turn " + kind);
    box.appendChild(el("div", "turn-head", "Turn " + turn.index + " · " + (tool ? tool.name : turn.action)));
    if (turn.think) box.appendChild(el("div", "think", turn.think));
    if (tool) {
      var call = el("div", "call");
      var items = tool.queries.length ? tool.queries : tool.urls;
      call.appendChild(el("span", null, tool.queries.length ? "Queries" : "URLs"));
      var ul = el("ul");
      items.forEach(function (item) { var li = el("li"); li.appendChild(el("code", null, item)); ul.appendChild(li); });
      call.appendChild(ul);
      call.appendChild(el("span", "chip", tool.latency_ms.toFixed(0) + " ms" + (tool.cache && tool.cache !== "none" ? " · cache " + tool.cache : "")));
      if (tool.error) call.appendChild(el("div", "err", "Tool error: " + tool.error));
      box.appendChild(call);
      var obs = el("details", "obs");
      obs.appendChild(el("summary", null, "Observation (" + tool.observation.length + " chars)"));
      obs.appendChild(el("pre", null, tool.observation));
      box.appendChild(obs);
    }
    if (turn.answer !== null && turn.answer !== undefined) { box.appendChild(el("span", "answer", turn.answer)); }
    if (turn.error) box.appendChild(el("div", "err", "Protocol error: " + turn.error));
    return box;
  }

  function initGroups() {
    var root = document.getElementById("group-view");
    if (!root || !data.groups.length) return;
    var select = root.querySelector("select"), cols = root.querySelector(".group-cols");
    data.groups.forEach(function (g, i) {
      var t = data.trajectories[g.trajectory_ids[0]];
      var o = el("option", null, "step " + g.step + " · " + g.question_id + (t ? " · " + t.question.slice(0, 80) : ""));
      o.value = String(i); select.appendChild(o);
    });
    function render() {
      var g = data.groups[Number(select.value)];
      cols.textContent = "";
      g.trajectory_ids.forEach(function (id, i) {
        var t = data.trajectories[id], box = el("div", "rollout");
        var head = el("div", "head");
        head.appendChild(el("b", null, "Rollout " + (i + 1)));
        var adv = g.advantages[i];
        head.appendChild(el("span", null, "reward " + Number(g.rewards[i]).toFixed(2)));
        head.appendChild(el("span", adv >= 0 ? "adv-pos" : "adv-neg", "A " + (adv >= 0 ? "+" : "") + Number(adv).toFixed(2)));
        box.appendChild(head);
        if (!t) { box.appendChild(el("div", "empty", "trajectory " + id + " not recorded")); cols.appendChild(box); return; }
        var ol = el("ol");
        t.turns.forEach(function (turn) {
          var text = turn.tool ? turn.tool.name + ": " + (turn.tool.queries.length ? turn.tool.queries : turn.tool.urls).join(" | ")
            : turn.answer !== null && turn.answer !== undefined ? "answer: " + turn.answer : turn.action + (turn.error ? ": " + turn.error : "");
          ol.appendChild(el("li", null, text));
        });
        box.appendChild(ol);
        box.appendChild(el("span", "chip " + (t.termination === "answered" ? "term-answered" : "term-other"), t.termination));
        var more = el("details", "obs");
        more.appendChild(el("summary", null, "Full trajectory"));
        t.turns.forEach(function (turn) { more.appendChild(turnView(turn)); });
        box.appendChild(more);
        cols.appendChild(box);
      });
    }
    select.addEventListener("input", render);
    render();
  }

  initViewer();
  initGroups();
})();
