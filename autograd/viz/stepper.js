/* valuegrad's backprop stepper: plain JavaScript, no libraries, no network.
 *
 * valuegradStepper(root, data) drives one view: `root` is the element holding the
 * Graphviz SVG (nodes titled n0, op0, ...; edges titled "n0->op2") and the controls;
 * `data` is made by autograd/viz/stepper.py:
 *   data.start  {nodeId: {data: text, grad: text}}   what each box shows before step 1
 *   data.steps  [{node, kind, lines, nodes, edges, inputs, set: {nodeId: {data?, grad?}}}]
 * Step k (0 = nothing done yet, steps.length = all done) shows the start texts with the
 * `set`s of steps 1..k applied, highlights step k's node, its edges and its inputs, and
 * prints its chain-rule lines.  Back recomputes from the start: no state to undo.
 * A step taken by the reader also scrolls its value into sight (the text panel beside the
 * graph is position: sticky, so it stays in the window whatever the page's height).
 */
(function () {
  "use strict";
  if (window.valuegradStepper) { return; }

  function byTitle(svg, cls) {
    var out = {};
    var groups = svg.querySelectorAll("g." + cls);
    for (var i = 0; i < groups.length; i++) {
      var title = groups[i].querySelector("title");
      if (!title) { continue; }
      var key = title.textContent.replace(/\s+/g, "");
      (out[key] = out[key] || []).push(groups[i]);
    }
    return out;
  }

  function cellTexts(group) {
    // A value's box is label lines (optional), then "data ...", then "grad ...": the last two texts.
    var texts = group.querySelectorAll("text");
    var n = texts.length;
    var cells = {data: n >= 2 ? texts[n - 2] : null, grad: n >= 1 ? texts[n - 1] : null};
    ["data", "grad"].forEach(function (k) {
      // Centre the text in its cell (the polygon Graphviz draws just before it), so shorter and
      // longer numbers both fit.  Read from the points, not measured: works before the view is shown.
      var t = cells[k];
      var cell = t ? t.previousElementSibling : null;
      if (!cell || cell.tagName.toLowerCase() !== "polygon") { return; }
      var xs = (cell.getAttribute("points") || "").trim().split(/\s+/).map(function (p) {
        return parseFloat(p.split(",")[0]);
      }).filter(function (x) { return !isNaN(x); });
      if (xs.length === 0) { return; }
      t.setAttribute("x", String((Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2));
      t.setAttribute("text-anchor", "middle");
    });
    return cells;
  }

  window.valuegradStepper = function (root, data) {
    var svg = root.querySelector("svg");
    var nodes = byTitle(svg, "node");
    var edges = byTitle(svg, "edge");
    var cells = {};
    Object.keys(data.start).forEach(function (id) {
      if (nodes[id]) { cells[id] = cellTexts(nodes[id][0]); }
    });
    var steps = data.steps;
    var slider = root.querySelector(".vg-slider");
    var counter = root.querySelector(".vg-counter");
    var text = root.querySelector(".vg-text");
    var back = root.querySelector(".vg-back");
    var next = root.querySelector(".vg-next");
    var play = root.querySelector(".vg-play");
    var current = 0;
    var timer = null;
    slider.max = String(steps.length);

    function mark(list, table, cls) {
      (list || []).forEach(function (id) {
        (table[id] || []).forEach(function (g) { g.classList.add(cls); });
      });
    }

    function follow() {
      // Keep the highlighted value in sight on a graph taller than the window (the text panel is sticky).
      // Its operation first, then the value: both end up in sight when the window can hold them.
      (current > 0 ? steps[current - 1].nodes.slice().reverse() : []).forEach(function (id) {
        var here = nodes[id];
        if (here && here[0].scrollIntoView) { here[0].scrollIntoView({block: "nearest", inline: "nearest"}); }
      });
    }

    function show(k) {
      current = Math.max(0, Math.min(steps.length, k));
      var shown = {};
      Object.keys(data.start).forEach(function (id) {
        shown[id] = {data: data.start[id].data, grad: data.start[id].grad};
      });
      var changed = {};
      for (var i = 0; i < current; i++) {
        var set = steps[i].set;
        Object.keys(set).forEach(function (id) {
          if (!shown[id]) { shown[id] = {}; }
          Object.keys(set[id]).forEach(function (k2) {
            shown[id][k2] = set[id][k2];
            if (i === current - 1) { changed[id + " " + k2] = true; }
          });
        });
      }
      Object.keys(cells).forEach(function (id) {
        ["data", "grad"].forEach(function (k2) {
          var t = cells[id][k2];
          if (t && shown[id] && shown[id][k2] !== undefined) {
            t.textContent = shown[id][k2];
            t.classList.toggle("vg-changed", !!changed[id + " " + k2]);
          }
        });
      });
      ["vg-current", "vg-input", "vg-active"].forEach(function (cls) {
        var old = svg.querySelectorAll("." + cls);
        for (var j = 0; j < old.length; j++) { old[j].classList.remove(cls); }
      });
      var lines;
      if (current === 0) {
        lines = [data.intro];
      } else {
        var step = steps[current - 1];
        mark(step.nodes, nodes, "vg-current");
        mark(step.inputs, nodes, "vg-input");
        mark(step.edges, edges, "vg-active");
        lines = step.lines;
      }
      text.textContent = lines.join("\n");
      counter.textContent = "step " + current + " of " + steps.length;
      slider.value = String(current);
      back.disabled = current === 0;
      next.disabled = current === steps.length;
      root.setAttribute("data-step", String(current));
    }

    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      play.textContent = "Play";
    }

    function start() {
      if (current === steps.length) { show(0); }
      play.textContent = "Pause";
      timer = setInterval(function () {
        if (current >= steps.length) { stop(); return; }
        show(current + 1);
        follow();
        if (current >= steps.length) { stop(); }
      }, data.interval);
    }

    back.addEventListener("click", function () { stop(); show(current - 1); follow(); });
    next.addEventListener("click", function () { stop(); show(current + 1); follow(); });
    play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
    slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); follow(); });
    root.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { stop(); show(current + 1); follow(); event.preventDefault(); event.stopPropagation(); }
      else if (event.key === "ArrowLeft") { stop(); show(current - 1); follow(); event.preventDefault(); event.stopPropagation(); }
    });
    show(0);
    return {show: show, step: function () { return current; }};
  };
})();
