// Filtering by verdict and search, and the coverage map's node details. Without JS the
// controls stay hidden and every test case shows.
(function () {
  "use strict";
  var controls = document.getElementById("controls");
  if (controls) { controls.hidden = false; }
  var tests = Array.prototype.slice.call(document.querySelectorAll("article.test"));
  var radios = Array.prototype.slice.call(document.querySelectorAll("input[name=verdict]"));
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  function apply() {
    var verdict = "all";
    radios.forEach(function (r) { if (r.checked) { verdict = r.value; } });
    var query = search ? search.value.trim().toLowerCase() : "";
    var count = 0;
    tests.forEach(function (t) {
      var show = (verdict === "all" || t.getAttribute("data-verdict") === verdict) &&
        (!query || t.textContent.toLowerCase().indexOf(query) >= 0);
      t.hidden = !show;
      if (show) { count += 1; }
    });
    if (shown) { shown.textContent = count + " of " + tests.length + " test cases shown"; }
  }
  radios.forEach(function (r) { r.addEventListener("change", apply); });
  if (search) { search.addEventListener("input", apply); }
  apply();

  function select(node) {
    var flow = node.getAttribute("data-flow");
    var panel = document.getElementById("flow-" + flow + "-details");
    if (!panel) { return; }
    Array.prototype.forEach.call(panel.querySelectorAll(".node-detail"), function (d) { d.hidden = true; });
    var detail = document.getElementById("flow-" + flow + "-node-" + node.getAttribute("data-node"));
    if (detail) { detail.hidden = false; }
    Array.prototype.forEach.call(document.querySelectorAll(".node[data-flow='" + flow + "']"),
      function (n) { n.setAttribute("aria-pressed", n === node ? "true" : "false"); });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".node[data-node]"), function (node) {
    node.addEventListener("click", function () { select(node); });
    node.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(node); }
    });
  });
})();
