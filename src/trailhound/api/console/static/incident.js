// The incident page's root-cause graph: fetched from the page's own origin and drawn with
// cytoscape. Alerting nodes and edges are red, the root cause purple, the chain back to it
// thick. The instance is kept on window.trailhoundGraph for the end-to-end tests.
"use strict";

(function () {
  var KIND_COLOURS = {
    user: "#1f5fbf", root: "#1f5fbf", role: "#00796b", session: "#26a69a",
    source_identity: "#6a1b9a", access_key: "#8d6e63", ip: "#f57c00", call: "#546e7a",
  };

  function shortLabel(text) {
    // arn:aws:iam::123456789012:role/Admin → role/Admin (the account is on the page)
    return text.indexOf("arn:") === 0 ? text.split(":").slice(5).join(":") : text;
  }

  function elements(doc) {
    var nodes = doc.nodes.map(function (n) {
      return {
        group: "nodes",
        data: {
          id: n.id, label: shortLabel(String(n.label || n.id)), kind: n.kind || "",
          alert: n.alert ? 1 : 0, root: n.root_cause ? 1 : 0,
          colour: KIND_COLOURS[n.kind] || "#78909c",
        },
      };
    });
    var edges = doc.edges.map(function (e, i) {
      return {
        group: "edges",
        data: {
          id: "e" + i, source: e.source, target: e.target, kind: e.kind || "",
          alert: e.alert ? 1 : 0, chain: e.chain ? 1 : 0,
        },
      };
    });
    return nodes.concat(edges);
  }

  function draw(container, doc) {
    return cytoscape({
      container: container,
      elements: elements(doc),
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(label)", "font-size": 9,
          "text-wrap": "ellipsis", "text-max-width": 140, color: "#1d2330",
          width: 18, height: 18 } },
        { selector: "node[alert = 1]", style: {
          "background-color": "#d9342b", "border-width": 3, "border-color": "#8b0000" } },
        { selector: "node[root = 1]", style: {
          "background-color": "#6a1b9a", width: 28, height: 28, "font-weight": "bold" } },
        { selector: "edge", style: {
          width: 1.5, "line-color": "#b0bec5", "target-arrow-color": "#b0bec5",
          "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(kind)",
          "font-size": 7, color: "#78909c" } },
        { selector: "edge[alert = 1]", style: { "line-color": "#d9342b", "target-arrow-color": "#d9342b" } },
        { selector: "edge[chain = 1]", style: { width: 4, "line-color": "#6a1b9a", "target-arrow-color": "#6a1b9a" } },
        { selector: ":selected", style: { "border-width": 4, "border-color": "#f0b429" } },
      ],
      layout: { name: "breadthfirst", directed: true, spacingFactor: 1.1, animate: false },
    });
  }

  function start() {
    var container = document.getElementById("graph");
    var status = document.getElementById("graph-status");
    if (!container) { return; }
    fetch(container.dataset.src, { credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) { throw new Error("the graph could not be loaded (" + answer.status + ")"); }
        return answer.json();
      })
      .then(function (doc) {
        var cy = draw(container, doc);
        window.trailhoundGraph = cy;
        status.textContent = doc.nodes.length + " nodes, " + doc.edges.length + " edges, " +
          doc.events + " events";
        container.dataset.ready = "1";
        cy.on("tap", "node", function (event) {
          var d = event.target.data();
          status.textContent = d.kind + ": " + d.id;
        });
      })
      .catch(function (error) {
        status.textContent = String(error.message || error);
        container.dataset.ready = "error";
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
