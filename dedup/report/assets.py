"""The page's stylesheet and script, inline so the report is one file that loads nothing.

The script renders only the current page of the cluster table and a cluster's detail when
it is opened (parsing the details and texts then), so a report of 10k clusters opens
fast. Text goes into the page through ``textContent`` only, never ``innerHTML``.
"""

from __future__ import annotations

CSS = """
:root { --fg:#1d232a; --muted:#5b6670; --line:#d8dde2; --bg:#fff; --alt:#f5f7f9;
  --mark:#ffe08a; --accent:#2457a6; }
* { box-sizing: border-box; }
body { margin: 0; padding: 0 24px 48px; font: 14px/1.45 system-ui, -apple-system,
  "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 20px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: var(--muted); }
.note { background: #fff6e0; border: 1px solid #f0d48a; padding: 6px 10px; border-radius: 4px; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.figure b { display: block; font-size: 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.s-curve .grid { stroke: #eceff2; }
.s-curve .axis { stroke: #333; }
.s-curve .curve { fill: none; stroke: var(--accent); stroke-width: 2; }
.s-curve line.half { stroke: #c0392b; stroke-dasharray: 4 3; }
.s-curve circle.half { fill: #c0392b; }
.s-curve text { font-size: 11px; fill: #333; }
.s-curve .label { font-size: 12px; }
.s-curve .half-label { fill: #c0392b; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--alt); position: sticky; top: 0; }
th[data-key], table.sortable th { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
#clusters tbody tr { cursor: pointer; }
#clusters tbody tr:hover, #clusters tbody tr.open { background: #eef3fb; }
.pager { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.pager input { padding: 3px 6px; min-width: 240px; }
button { font: inherit; padding: 2px 10px; cursor: pointer; }
.outlets-cell { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.member { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
.member.canonical { border-color: var(--accent); }
.role { display: inline-block; padding: 0 6px; border-radius: 3px; background: var(--alt);
  border: 1px solid var(--line); font-size: 12px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 8px; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--alt); padding: 8px;
  border-radius: 4px; max-height: 420px; overflow: auto; font-size: 13px; }
mark { background: var(--mark); }
.evidence td { font-size: 12px; }
ul.reasons { margin: 4px 0; }
.small { font-size: 12px; }
"""

JS = r"""
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function delayText(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    var sign = seconds < 0 ? "-" : "";
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    if (d) { return sign + d + "d " + h + "h"; }
    if (h) { return sign + h + "h " + (m < 10 ? "0" : "") + m + "m"; }
    return sign + m + "m";
  }
  var data = JSON.parse($("report-data").textContent);
  var rows = data.rows;
  var pageSize = data.page_size;
  var byId = {};
  rows.forEach(function (r) { byId[r[1]] = r[0]; });
  var state = { key: 2, dir: -1, page: 0, filter: "", view: rows.slice(), open: -1 };
  var details = null, texts = null;
  var COLUMNS = { 2: "num", 3: "text", 4: "text", 5: "count", 6: "num", 8: "num" };

  function value(row, key) {
    var kind = COLUMNS[key];
    if (kind === "count") { return row[5].length; }
    return row[key];
  }
  function compare(a, b) {
    var x = value(a, state.key), y = value(b, state.key);
    if (x === null && y === null) { return a[0] - b[0]; }
    if (x === null) { return 1; }
    if (y === null) { return -1; }
    var c;
    if (typeof x === "number") { c = x - y; }
    else { c = String(x).localeCompare(String(y)); }
    return c !== 0 ? c * state.dir : a[0] - b[0];
  }
  function applyView() {
    var f = state.filter.toLowerCase();
    state.view = f ? rows.filter(function (r) {
      return (r[1] + " " + r[3] + " " + r[4] + " " + r[5].join(" ")).toLowerCase().indexOf(f) >= 0;
    }) : rows.slice();
    state.view.sort(compare);
  }
  function renderTable() {
    var body = $("cluster-rows");
    var pages = Math.max(1, Math.ceil(state.view.length / pageSize));
    if (state.page >= pages) { state.page = pages - 1; }
    var start = state.page * pageSize;
    var slice = state.view.slice(start, start + pageSize);
    var frag = document.createDocumentFragment();
    slice.forEach(function (r) {
      var tr = el("tr");
      tr.setAttribute("data-index", r[0]);
      tr.setAttribute("data-cluster", r[1]);
      if (r[0] === state.open) { tr.className = "open"; }
      tr.appendChild(el("td", "num", r[2]));
      var canon = el("td");
      var link = el("a", null, r[3]);
      link.setAttribute("href", "#" + r[1]);
      canon.appendChild(link);
      tr.appendChild(canon);
      tr.appendChild(el("td", null, r[4]));
      var outlets = el("td", "outlets-cell", r[5].length + ": " + r[5].join(", "));
      outlets.setAttribute("title", r[5].join(", "));
      tr.appendChild(outlets);
      tr.appendChild(el("td", null, r[7]));
      tr.appendChild(el("td", null, r[9]));
      frag.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(frag);
    var shown = state.view.length;
    $("table-status").textContent = shown
      ? "clusters " + (start + 1) + "\u2013" + (start + slice.length) + " of " + shown +
        (shown !== rows.length ? " (filtered from " + rows.length + ")" : "")
      : "no cluster matches";
    $("table-status").setAttribute("data-total", String(shown));
    $("page-prev").disabled = state.page === 0;
    $("page-next").disabled = state.page >= pages - 1;
    document.querySelectorAll("#clusters th[data-key]").forEach(function (th) {
      var key = Number(th.getAttribute("data-key"));
      if (key === state.key) {
        th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      } else { th.removeAttribute("aria-sort"); }
    });
  }
  document.querySelectorAll("#clusters th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = Number(th.getAttribute("data-key"));
      if (state.key === key) { state.dir = -state.dir; }
      else { state.key = key; state.dir = COLUMNS[key] === "text" ? 1 : -1; }
      state.view.sort(compare);
      state.page = 0;
      renderTable();
    });
  });
  $("page-prev").addEventListener("click", function () { state.page -= 1; renderTable(); });
  $("page-next").addEventListener("click", function () { state.page += 1; renderTable(); });
  $("cluster-filter").addEventListener("input", function (event) {
    state.filter = event.target.value; state.page = 0; applyView(); renderTable();
  });
  $("cluster-rows").addEventListener("click", function (event) {
    var tr = event.target.closest("tr");
    if (!tr) { return; }
    if (event.target.tagName === "A") { return; }
    location.hash = tr.getAttribute("data-cluster");
  });

  function marked(text, spans) {
    var node = el("div", "body");
    var at = 0;
    (spans || []).forEach(function (s) {
      if (s[0] > at) { node.appendChild(document.createTextNode(text.slice(at, s[0]))); }
      node.appendChild(el("mark", null, text.slice(s[0], s[1])));
      at = s[1];
    });
    if (at < text.length) { node.appendChild(document.createTextNode(text.slice(at))); }
    return node;
  }
  function fmt(x) { return typeof x === "number" ? x.toFixed(3) : ""; }
  function evidenceBlock(ev) {
    var box = el("div", "small");
    var facts = [];
    ["agencies", "sources", "pointers", "timestamps", "page"].forEach(function (k) {
      if (ev[k] && ev[k].length) { facts.push(k + ": " + ev[k].join(", ")); }
    });
    if (ev.dateline) { facts.push("dateline: " + ev.dateline); }
    ["syndicated", "scraper", "compilation", "kept_boilerplate"].forEach(function (k) {
      if (ev[k]) { facts.push(k); }
    });
    if (facts.length) { box.appendChild(el("div", null, "evidence: " + facts.join("; "))); }
    if (ev.stripped && ev.stripped.length) {
      var t = el("table", "evidence");
      var head = el("tr");
      ["family", "agency", "stripped line"].forEach(function (h) {
        head.appendChild(el("th", null, h));
      });
      t.appendChild(head);
      ev.stripped.forEach(function (s) {
        var tr = el("tr");
        tr.appendChild(el("td", null, s.family));
        tr.appendChild(el("td", null, s.agency || ""));
        tr.appendChild(el("td", null, s.text));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    return box;
  }
  function memberCard(cluster, m) {
    var isCanon = m.id === cluster.canonical_id;
    var card = el("div", "member" + (isCanon ? " canonical" : ""));
    card.setAttribute("data-member", m.id);
    var head = el("div", "meta");
    head.appendChild(el("span", "role", m.role || (isCanon ? "canonical" : "copy")));
    head.appendChild(el("b", null, m.id));
    if (m.outlet) { head.appendChild(el("span", null, "outlet: " + m.outlet)); }
    if (m.published_at) { head.appendChild(el("span", null, "published: " + m.published_at)); }
    if (m.delay !== null && m.delay !== undefined) {
      head.appendChild(el("span", null, "after the canonical: " + delayText(m.delay)));
    }
    if (!isCanon) {
      head.appendChild(el("span", null, "parent: " + (m.parent_id || "")));
      head.appendChild(el("span", null,
        "jaccard " + fmt(m.jaccard) + ", containment " + fmt(m.containment)));
    }
    if (typeof m.url === "string" && /^https?:\/\//i.test(m.url)) {
      var a = el("a", null, m.url);
      a.setAttribute("href", m.url);
      a.setAttribute("rel", "noopener noreferrer");
      a.setAttribute("target", "_blank");
      head.appendChild(a);
    } else if (m.url) { head.appendChild(el("span", null, m.url)); }
    card.appendChild(head);
    card.appendChild(evidenceBlock(m.evidence || {}));
    var own = texts[m.id], canon = texts[cluster.canonical_id];
    if (own === undefined) {
      card.appendChild(el("div", "muted small", data.has_dump
        ? "text not in the dump" : "no text: the report was built without --dump"));
    } else if (isCanon || canon === undefined) {
      card.appendChild(marked(own, []));
    } else {
      var info = el("div", "small");
      info.textContent = "shared passages: " + (m.passages ? m.passages.length : 0) +
        ", " + (m.shared_words || 0) + " of " + (m.copy_words || 0) + " words of this copy" +
        (m.passages && m.passages.length ? " \u2014 " + m.passages.map(function (p) {
          return p[0] + " words, canonical \u00b6" + p[1] + "\u2013" + p[2] +
            " \u2192 copy \u00b6" + p[3] + "\u2013" + p[4];
        }).join("; ") : "");
      card.appendChild(info);
      var pair = el("div", "pair");
      var left = el("div"), right = el("div");
      left.appendChild(el("div", "small muted", "canonical: " + cluster.canonical_id));
      left.appendChild(marked(canon, m.src));
      right.appendChild(el("div", "small muted", "this member: " + m.id));
      right.appendChild(marked(own, m.cp));
      pair.appendChild(left);
      pair.appendChild(right);
      card.appendChild(pair);
    }
    return card;
  }
  var CHUNK = 10;
  function showDetail(index) {
    if (!details) {
      details = JSON.parse($("report-clusters").textContent);
      texts = JSON.parse($("report-texts").textContent);
    }
    var cluster = details[index];
    var box = $("detail");
    box.textContent = "";
    state.open = index;
    box.appendChild(el("h2", null, "Cluster " + cluster.cluster_id));
    var meta = el("div", "meta");
    meta.appendChild(el("span", null, "origin: " + cluster.origin));
    meta.appendChild(el("span", null, "canonical: " + cluster.canonical_id));
    meta.appendChild(el("span", null, "members: " + cluster.members.length));
    box.appendChild(meta);
    var reasons = el("ul", "reasons small");
    cluster.reasons.forEach(function (r) { reasons.appendChild(el("li", null, r)); });
    box.appendChild(reasons);
    var list = el("div", "members");
    box.appendChild(list);
    var shown = 0;
    var more = el("button", null, "");
    function next() {
      cluster.members.slice(shown, shown + CHUNK).forEach(function (m) {
        list.appendChild(memberCard(cluster, m));
      });
      shown = Math.min(cluster.members.length, shown + CHUNK);
      more.textContent = "show more members (" + (cluster.members.length - shown) + " left)";
      more.hidden = shown >= cluster.members.length;
    }
    more.addEventListener("click", next);
    next();
    box.appendChild(more);
    box.hidden = false;
    renderTable();
    box.scrollIntoView();
  }
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!Object.prototype.hasOwnProperty.call(byId, id)) { return; }
    // the details and texts come after this script: wait until they are parsed
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { showDetail(byId[id]); });
    } else { showDetail(byId[id]); }
  }
  window.addEventListener("hashchange", fromHash);

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var trs = Array.prototype.slice.call(body.rows);
        trs.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
          if (x === "" && y === "") { return 0; }
          if (x === "") { return 1; }
          if (y === "") { return -1; }
          var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return asc ? c : -c;
        });
        trs.forEach(function (tr) { body.appendChild(tr); });
      });
    });
  });

  applyView();
  renderTable();
  if (window.performance && performance.mark) { performance.mark("table-rendered"); }
  document.documentElement.setAttribute("data-ready", "1");
  fromHash();
})();
"""
