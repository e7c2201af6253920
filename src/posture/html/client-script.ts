/**
 * The report's own script, run by the browser: it reads the report from the page's JSON
 * block and builds the page with DOM calls and textContent only, so no name, label or
 * message from the input is ever parsed as HTML. It is plain ES2020 in a string (the
 * package is compiled for Node, without the DOM's types); the Chromium tests run every
 * line of it. Keep `${` and backticks out of it: it sits in a template literal.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  "use strict";
  var report = JSON.parse(document.getElementById("posture-data").textContent);
  var PILLARS = ["identity", "workload", "network", "data"];
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var key in attrs) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function scoreClass(score) {
    return score >= 90 ? "s-a" : score >= 75 ? "s-b" : score >= 50 ? "s-c" : score >= 25 ? "s-d" : "s-f";
  }
  function scoreColor(score) {
    return score >= 90 ? "#1a7f37" : score >= 75 ? "#4d8f2a" : score >= 50 ? "#bf8700" : score >= 25 ? "#d1570f" : "#cf222e";
  }
  function nameOf(w) {
    return (w.ref.namespace || "default") + "/" + w.ref.kind + "/" + w.ref.name;
  }
  function changeOf(w) {
    if (!report.baseline) return "";
    if (w.baselineScore === undefined) return " (new)";
    var delta = w.score - w.baselineScore;
    return delta === 0 ? "" : " (" + (delta > 0 ? "+" : "") + delta + ")";
  }
  function placeOf(position) {
    if (!position) return "";
    return /^<.*>$/.test(position.file) ? position.file : position.file + ":" + position.line + ":" + position.column;
  }

  // Summary.
  var s = report.summary;
  document.getElementById("source").textContent = report.source;
  document.getElementById("generated").textContent = report.generatedAt + " · " + report.tool.name + " " + report.tool.version;
  var cards = document.getElementById("cards");
  cards.appendChild(el("div", { className: "card" }, [el("div", { className: "big " + scoreClass(s.meanScore), text: String(s.meanScore) }), el("div", { text: "mean score of " + s.workloads + " workload" + (s.workloads === 1 ? "" : "s") + (report.namespace !== undefined ? " in " + report.namespace : "") })]));
  var gradeCard = el("div", { className: "card" }, [el("div", { className: "label", text: "grades" })]);
  ["A", "B", "C", "D", "F"].forEach(function (g) {
    gradeCard.appendChild(el("span", { className: "grade g-" + g, title: "grade " + g, text: g + " " + s.grades[g] }));
  });
  cards.appendChild(gradeCard);
  var weakCard = el("div", { className: "card" }, [el("div", { className: "label", text: "weakest pillar" })]);
  PILLARS.forEach(function (p) { weakCard.appendChild(el("div", { text: p + ": " + s.weakestPillar[p] })); });
  cards.appendChild(weakCard);
  var clusterCard = el("div", { className: "card" }, [el("div", { className: "label", text: "platform and cluster-wide findings" })]);
  SEVERITIES.forEach(function (sev) { if (s.clusterFindings[sev] > 0) clusterCard.appendChild(el("div", { className: "sev-" + sev, text: s.clusterFindings[sev] + " " + sev })); });
  cards.appendChild(clusterCard);
  if (report.baseline) {
    var b = report.baseline;
    var baseCard = el("div", { className: "card", id: "baseline" }, [el("div", { className: "label", text: "against " + b.file + (b.generatedAt ? " (" + b.generatedAt.slice(0, 10) + ")" : "") })]);
    baseCard.appendChild(el("div", { text: "mean score " + b.meanScore + " → " + s.meanScore }));
    baseCard.appendChild(el("div", { className: b.lower.length ? "sev-high" : "", text: b.lower.length + " lower" }));
    if (b.weaker.length) baseCard.appendChild(el("div", { className: "sev-high", text: b.weaker.length + " weaker on a pillar" }));
    baseCard.appendChild(el("div", { text: b.higher.length + " higher, " + b.added.length + " new, " + b.removed.length + " gone" }));
    cards.appendChild(baseCard);
  }

  // Workloads table.
  var tbody = document.querySelector("#workloads tbody");
  var rows = [];
  var sortKey = "score", sortUp = true, filterText = "", filterGrade = "";
  report.workloads.forEach(function (w) {
    var row = el("tr", { className: "workload", "data-name": nameOf(w), tabindex: "0" }, [
      el("td", { className: "name", text: nameOf(w) }),
      el("td", { className: "num " + scoreClass(w.score), text: String(w.score) + changeOf(w) }),
      el("td", { className: "grade-cell", text: w.grade }),
    ]);
    PILLARS.forEach(function (p) { row.appendChild(el("td", { className: "num " + scoreClass(w.pillars[p].score), text: String(w.pillars[p].score) })); });
    // Built on first opening: a cluster of 10,000 workloads opens fast.
    var detail = el("tr", { className: "detail", hidden: "" }, [el("td", { colspan: "7" })]);
    row.addEventListener("click", function () { toggle(entry); });
    row.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(entry); } });
    var entry = { w: w, row: row, detail: detail };
    rows.push(entry);
  });
  function details(w) {
    var box = el("div", { className: "deductions" });
    box.appendChild(el("div", { className: "who", text: "ServiceAccount " + (w.ref.namespace || "default") + "/" + w.serviceAccount + (w.position ? " · defined at " + placeOf(w.position) : "") }));
    // The arithmetic, so a reader can check every score: 100 x (1 - points/100) per deduction.
    var sums = el("div", { className: "sums" });
    PILLARS.forEach(function (p) {
      var terms = w.pillars[p].deductions.map(function (d) { return ((100 - d.points) / 100).toFixed(2); });
      sums.appendChild(el("div", { text: p + " " + w.pillars[p].score + (terms.length ? " = 100 × " + terms.join(" × ") : "") }));
    });
    box.appendChild(sums);
    var any = false;
    PILLARS.forEach(function (p) {
      w.pillars[p].deductions.forEach(function (d) {
        any = true;
        var item = el("div", { className: "deduction sev-" + d.severity }, [
          el("span", { className: "points", text: "-" + d.points }),
          el("span", { className: "pillar", text: p }),
          el("code", { className: "rule", text: d.ruleId + (d.count > 1 ? " (x" + d.count + ")" : "") }),
          el("span", { className: "reason", text: d.reason }),
        ]);
        if (d.position) item.appendChild(el("div", { className: "where", text: placeOf(d.position) + (d.fieldPath ? " · " + d.fieldPath : "") }));
        if (d.remediation) item.appendChild(el("div", { className: "fix", text: "Fix: " + d.remediation }));
        box.appendChild(item);
      });
    });
    if (!any) box.appendChild(el("div", { className: "deduction", text: "Nothing lowers this workload's score." }));
    w.facts.forEach(function (f) { box.appendChild(el("div", { className: "fact", text: f })); });
    return box;
  }
  function toggle(entry, open) {
    var show = open === undefined ? entry.detail.hidden : open;
    if (show && !entry.built) {
      entry.detail.firstChild.appendChild(details(entry.w));
      entry.built = true;
    }
    entry.detail.hidden = !show;
    entry.row.classList.toggle("open", show);
  }
  function value(entry, key) {
    if (key === "name") return nameOf(entry.w);
    if (key === "score") return entry.w.score;
    return entry.w.pillars[key].score;
  }
  function render() {
    var shown = rows.filter(function (r) {
      return (!filterText || nameOf(r.w).toLowerCase().indexOf(filterText) >= 0) && (!filterGrade || r.w.grade === filterGrade);
    });
    shown.sort(function (a, b) {
      var x = value(a, sortKey), y = value(b, sortKey);
      var c = x < y ? -1 : x > y ? 1 : nameOf(a.w) < nameOf(b.w) ? -1 : 1;
      return sortUp ? c : -c;
    });
    tbody.textContent = "";
    shown.forEach(function (r) { tbody.appendChild(r.row); tbody.appendChild(r.detail); });
    document.getElementById("shown").textContent = shown.length + " of " + rows.length + " workloads";
    document.querySelectorAll("#workloads th[data-key]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-key") === sortKey ? (sortUp ? "ascending" : "descending") : "none");
    });
  }
  document.querySelectorAll("#workloads th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      if (key === sortKey) sortUp = !sortUp; else { sortKey = key; sortUp = true; }
      render();
    });
  });
  document.getElementById("filter").addEventListener("input", function (e) { filterText = e.target.value.trim().toLowerCase(); render(); });
  document.getElementById("grade").addEventListener("change", function (e) { filterGrade = e.target.value; render(); });
  render();

  // Cluster findings.
  var fbody = document.querySelector("#cluster-findings tbody");
  report.clusterFindings.forEach(function (f) {
    var ref = f.object ? (f.object.namespace ? f.object.namespace + "/" : "") + f.object.kind + "/" + f.object.name : "";
    fbody.appendChild(el("tr", {}, [
      el("td", { className: "sev-" + f.severity, text: f.severity }),
      el("td", {}, [el("code", { text: f.ruleId })]),
      el("td", { text: ref }),
      el("td", { text: f.message }),
      el("td", { className: "where", text: placeOf(f.position) }),
    ]));
  });
  if (report.clusterFindings.length === 0) fbody.appendChild(el("tr", {}, [el("td", { colspan: "5", text: "None." })]));

  // Network graph.
  var graph = report.graph;
  var elements = [];
  graph.nodes.forEach(function (n) {
    var data = { id: n.id, label: n.label, kind: n.kind, color: n.score === undefined ? "#57606a" : scoreColor(n.score) };
    if (n.parent) data.parent = n.parent;
    if (n.workload) data.workload = n.workload;
    // With -n, another namespace's node, drawn because it connects with the reported one: grey and dashed, not coloured as a reported score.
    if (n.outOfScope) { data.outOfScope = true; data.color = "#d0d7de"; }
    elements.push({ group: "nodes", data: data });
  });
  graph.edges.forEach(function (e, i) { elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, label: e.label } }); });
  if (graph.note) document.getElementById("graph-note").textContent = graph.note;
  var cy = null;
  if (typeof cytoscape === "function" && graph.nodes.length > 0) {
    cy = cytoscape({
      container: document.getElementById("graph"),
      elements: elements,
      style: [
        { selector: "node", style: { "background-color": "data(color)", label: "data(label)", "font-size": 10, color: "#24292f", "text-valign": "bottom", "text-margin-y": 3, width: 18, height: 18 } },
        { selector: "node[kind = 'namespace']", style: graph.level === "workloads"
          ? { "background-color": "#f6f8fa", "background-opacity": 0.6, "border-width": 2, "border-color": "data(color)", "text-valign": "top", "font-weight": "bold", shape: "round-rectangle" }
          : { width: 28, height: 28, shape: "round-rectangle" } },
        { selector: "node[?outOfScope]", style: { "border-width": 1.5, "border-style": "dashed", "border-color": "#57606a", color: "#57606a", "font-style": "italic" } },
        { selector: "node[kind = 'outside']", style: { shape: "diamond", "background-color": "#8250df", width: 26, height: 26 } },
        { selector: "edge", style: { width: 1.2, "line-color": "#8c959f", "target-arrow-color": "#8c959f", "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8 } },
        { selector: "edge:selected", style: { label: "data(label)", "font-size": 9, "line-color": "#0969da", "target-arrow-color": "#0969da" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#0969da" } },
      ],
      layout: { name: graph.nodes.length > 60 ? "concentric" : "cose", animate: false, padding: 20, nodeDimensionsIncludeLabels: true },
    });
    cy.on("tap", "node[kind = 'workload']", function (evt) {
      var name = evt.target.data("workload");
      var entry = rows.find(function (r) { return nameOf(r.w) === name; });
      if (!entry) return;
      filterText = ""; filterGrade = "";
      document.getElementById("filter").value = "";
      document.getElementById("grade").value = "";
      render();
      toggle(entry, true);
      entry.row.scrollIntoView({ block: "center" });
    });
  } else if (graph.nodes.length === 0) {
    document.getElementById("graph").textContent = "No workloads to draw.";
  }
  var drawnKind = graph.level === "workloads" ? "workload" : "namespace";
  var inScope = graph.nodes.filter(function (n) { return n.kind === drawnKind && !n.outOfScope; }).length;
  var peers = graph.nodes.filter(function (n) { return n.kind === drawnKind && n.outOfScope; }).length;
  document.getElementById("graph-level").textContent = report.namespace === undefined
    ? inScope + " " + drawnKind + "s, " + graph.edges.length + (graph.level === "workloads" ? " allowed connections" : " links")
    : graph.level === "workloads"
      ? inScope + " workloads in " + report.namespace + " and " + peers + " of other namespaces that connect with them (dashed), " + graph.edges.length + " allowed connections"
      : report.namespace + " and " + peers + " namespaces that connect with it (dashed), " + graph.edges.length + " links";

  window.palisadePosture = { ready: true, cy: cy, report: report, rows: function () { return tbody.querySelectorAll("tr.workload").length; } };
})();
`;
