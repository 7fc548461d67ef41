/* calculus-conformance report: sortable and filterable tables, the matrix folded by family, and the
   packed parts (per-record detail compressed in the page) unfolded when they are opened. The first
   screen, the matrix and the charts need no script; the packed parts do. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var filters = [];   /* every toolbar's apply(), run again when a packed part unfolds */

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

  function sortable(table) {
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
  }

  /* Filters: a toolbar names its targets (tables, or containers of .item elements), looked up each
     time so that rows unfolded later count; a text box matches a row's text, a select its
     data-status ("notpass": anything but pass and not applicable). Family header rows stay. */
  function toolbar(bar) {
    var text = bar.querySelector("input[type=search]");
    var status = bar.querySelector("select");
    var count = bar.querySelector(".count");
    var all = bar.querySelector("button.all");
    var items = function () {
      var out = [];
      bar.getAttribute("data-target").split(" ").forEach(function (id) {
        var target = document.getElementById(id);
        if (!target) { return; }
        if (target.tBodies) {
          each(target.tBodies, function (body) {
            each(body.rows, function (row) { if (!row.classList.contains("famrow")) { out.push(row); } });
          });
        } else {
          each(target.querySelectorAll(".item"), function (row) { out.push(row); });
        }
      });
      return out;
    };
    var apply = function () {
      var q = text ? text.value.trim().toLowerCase() : "";
      var s = status ? status.value : "";
      var shown = 0, rows = items();
      rows.forEach(function (row) {
        var st = row.getAttribute("data-status");
        var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
                 (!s || (s === "notpass" ? st !== "pass" && st !== "na" : st === s));
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = (q || s) ? shown + " of " + rows.length + " rows shown" : ""; }
    };
    if (text) { text.addEventListener("input", apply); }
    if (status) {
      status.addEventListener("change", apply);
      status.value = bar.getAttribute("data-default") || "";
    }
    if (all) { all.addEventListener("click", function () { if (text) { text.value = ""; } status.value = ""; apply(); }); }
    filters.push(apply);
    apply();
  }

  function enhance(el) {
    each(el.querySelectorAll("table.sortable"), sortable);
    each(el.querySelectorAll(".tools[data-target]"), toolbar);
  }

  /* Packed parts: zlib-compressed HTML in data-z, unfolded once. */
  function unfold(el) {
    if (el.getAttribute("data-state")) { return el.ready || Promise.resolve(); }
    el.setAttribute("data-state", "unfolding");
    var bytes = Uint8Array.from(atob(el.getAttribute("data-z")), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    el.ready = new Response(stream).text().then(function (html) {
      el.innerHTML = html;
      el.removeAttribute("data-z");
      el.setAttribute("data-state", "open");
      enhance(el);
      filters.forEach(function (apply) { apply(); });
    });
    return el.ready;
  }

  function openDetails(d) {
    var waits = [];
    for (var p = d; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
      if (p.tagName === "TBODY" && p.classList.contains("folded")) { fold(p, false); }
    }
    each(d.querySelectorAll(":scope > .packed"), function (el) { waits.push(unfold(el)); });
    return Promise.all(waits);
  }

  document.addEventListener("toggle", function (e) {
    if (e.target.tagName === "DETAILS" && e.target.open) { openDetails(e.target); }
  }, true);

  /* A link to a record's detail (#d<n>) lands in the group that holds it, unfolded. */
  function holder(id) {
    var m = /^d(\d+)$/.exec(id);
    if (!m) { return null; }
    var n = parseInt(m[1], 10), found = null;
    each(document.querySelectorAll("details.group[data-from]"), function (g) {
      if (+g.getAttribute("data-from") <= n && n < +g.getAttribute("data-to")) { found = g; }
    });
    return found;
  }

  function hidden(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      if ((p.tagName === "DETAILS" && !p.open) || (p.tagName === "TBODY" && p.classList.contains("folded"))) { return true; }
    }
    return el.tagName === "DETAILS" && !el.open;
  }

  function go(id) {
    var target = document.getElementById(id);
    var first = target ? openDetails(target) : (holder(id) ? openDetails(holder(id)) : null);
    if (!first) { return; }
    first.then(function () {
      var t = document.getElementById(id);
      if (!t) { return; }
      openDetails(t);
      t.scrollIntoView({block: "start"});
    });
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (!a) { return; }
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    var target = document.getElementById(id);
    if (target && !hidden(target)) { return; }          /* the browser goes there itself */
    e.preventDefault();
    history.pushState(null, "", "#" + id);
    go(id);
  });
  window.addEventListener("hashchange", function () {
    var id = decodeURIComponent(location.hash.slice(1)), target = document.getElementById(id);
    if (!target || hidden(target)) { go(id); }
  });

  /* The matrix folds by family. */
  function fold(body, shut) {
    body.classList.toggle("folded", shut);
    var b = body.querySelector("button.fold");
    if (b) { b.setAttribute("aria-expanded", shut ? "false" : "true"); }
  }
  each(document.querySelectorAll("tbody.family button.fold"), function (b) {
    b.addEventListener("click", function () {
      var body = b.closest("tbody");
      fold(body, !body.classList.contains("folded"));
    });
  });

  /* Packed charts unfold as they come near the window. */
  if ("IntersectionObserver" in window) {
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { near.unobserve(e.target); unfold(e.target); } });
    }, {rootMargin: "600px 0px"});
    each(document.querySelectorAll(".packed.auto"), function (el) { near.observe(el); });
  } else {
    each(document.querySelectorAll(".packed.auto"), unfold);
  }

  enhance(document);
  if (location.hash.length > 1) {
    var id = decodeURIComponent(location.hash.slice(1)), target = document.getElementById(id);
    if (!target || hidden(target)) { go(id); }
  }
})();
