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

  /* Generic filters: a toolbar names its target (a table or a container of .item elements);
     a text box matches the row's text, a select matches its data-status. */
  each(document.querySelectorAll(".tools[data-target]"), function (bar) {
    var target = document.getElementById(bar.getAttribute("data-target"));
    if (!target) { return; }
    var text = bar.querySelector("input[type=search]");
    var status = bar.querySelector("select");
    var count = bar.querySelector(".count");
    var items = target.tBodies ? target.tBodies[0].rows : target.querySelectorAll(".item");
    var apply = function () {
      var q = text ? text.value.trim().toLowerCase() : "";
      var s = status ? status.value : "";
      var shown = 0;
      each(items, function (row) {
        var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
                 (!s || (s === "notpass" ? row.getAttribute("data-status") !== "pass"
                                         : row.getAttribute("data-status") === s));
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = shown + " of " + items.length + " shown"; }
    };
    if (text) { text.addEventListener("input", apply); }
    if (status) { status.addEventListener("change", apply); }
  });

  /* The matrix: per-check rows start folded; a case's name button unfolds them. */
  var matrix = document.getElementById("matrix-table");
  if (matrix) {
    var rows = matrix.tBodies[0].rows;
    var subs = {};
    each(rows, function (r) {
      var p = r.getAttribute("data-parent");
      if (p) { r.hidden = true; (subs[p] = subs[p] || []).push(r); }
    });
    var openAll = false;
    var show = function (row, open) {
      row.classList.toggle("open", open);
      var b = row.querySelector("button.fold");
      if (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); }
      (subs[row.id] || []).forEach(function (s) { s.hidden = !open || row.hidden; });
    };
    each(matrix.querySelectorAll("tr.case"), function (row) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "fold";
      b.setAttribute("aria-expanded", "false");
      b.setAttribute("aria-label", "show checks");
      var cell = row.cells[0];
      cell.insertBefore(b, cell.firstChild);
      b.addEventListener("click", function () { show(row, !row.classList.contains("open")); });
    });
    var bar = document.getElementById("matrix-tools");
    var q = bar.querySelector("input[type=search]");
    var st = bar.querySelector("select");
    var all = bar.querySelector("input[type=checkbox]");
    var count = bar.querySelector(".count");
    var cases = matrix.querySelectorAll("tr.case");
    var apply = function () {
      var text = q.value.trim().toLowerCase(), s = st.value, shown = 0;
      each(cases, function (row) {
        var ok = (!text || row.getAttribute("data-name").indexOf(text) >= 0) &&
                 (!s || (s === "notpass" ? row.getAttribute("data-status") !== "pass"
                                         : row.getAttribute("data-status") === s));
        row.hidden = !ok;
        if (ok) { shown += 1; }
        show(row, all.checked || row.classList.contains("open"));
      });
      count.textContent = shown + " of " + cases.length + " cases shown";
    };
    q.addEventListener("input", apply);
    st.addEventListener("change", apply);
    all.addEventListener("change", function () {
      openAll = all.checked;
      each(cases, function (row) { show(row, openAll); });
    });
    apply();
  }
})();
