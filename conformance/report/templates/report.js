/* calculus-conformance report: sortable and filterable tables, expandable matrix rows.
   The page is complete without this script; it only adds controls. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) { return ""; }
    var v = c.getAttribute("data-v");
    if (v !== null && v !== "") {
      var f = parseFloat(v);
      if (!isNaN(f)) { return f; }
      if (v === "inf") { return Infinity; }
      if (v === "nan") { return Infinity; }
    }
    return c.textContent.trim().toLowerCase();
  }

  each(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    each(heads, function (th, i) {
      th.classList.add("sort");
      th.tabIndex = 0;
      th.title = "sort";
      var go = function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, i), y = cellValue(b, i), r;
          if (typeof x === "number" && typeof y === "number") { r = x - y; }
          else if (typeof x === "number") { r = -1; }
          else if (typeof y === "number") { r = 1; }
          else { r = x.localeCompare(y); }
          return asc ? r : -r;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
    });
  });

  /* Filters: a toolbar names its targets (tables, or containers of .item elements); a text box
     matches a row's text, a select matches its data-status ("notpass": anything but pass). */
  each(document.querySelectorAll(".tools[data-target]"), function (bar) {
    var items = [];
    bar.getAttribute("data-target").split(" ").forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) { return; }
      each(target.tBodies ? target.tBodies[0].rows : target.querySelectorAll(".item"),
           function (row) { items.push(row); });
    });
    var text = bar.querySelector("input[type=search]");
    var status = bar.querySelector("select");
    var count = bar.querySelector(".count");
    var apply = function () {
      var q = text ? text.value.trim().toLowerCase() : "";
      var s = status ? status.value : "";
      var shown = 0;
      items.forEach(function (row) {
        var st = row.getAttribute("data-status");
        var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
                 (!s || (s === "notpass" ? st !== "pass" : st === s));
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = (q || s) ? shown + " of " + items.length + " rows shown" : ""; }
    };
    if (text) { text.addEventListener("input", apply); }
    if (status) { status.addEventListener("change", apply); }
  });
})();
