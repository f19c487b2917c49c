// The journal grid: move with the arrow keys (Enter goes down), type a
// mark, "н"/"n" marks an absence and "о"/"l" lateness (toggles); each cell
// is saved as soon as it is left, with a visible state (saving, saved,
// error with its message). A request that gets no answer is retried with
// the same idempotency key, so a flaky connection never writes twice.
(function () {
  "use strict";
  var root = document.getElementById("journal");
  if (!root) { return; }
  var csrf = root.getAttribute("data-csrf");
  var status = document.getElementById("journal-status");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("input.mark"));
  var grid = {};
  inputs.forEach(function (el) {
    var td = el.parentNode, tr = td.parentNode;
    var row = Array.prototype.indexOf.call(tr.parentNode.children, tr);
    var col = Array.prototype.indexOf.call(tr.children, td);
    el.dataset.r = row; el.dataset.c = col;
    grid[row + ":" + col] = el;
  });

  function at(r, c) { return grid[r + ":" + c]; }

  function move(el, dr, dc) {
    var r = +el.dataset.r, c = +el.dataset.c;
    for (var i = 0; i < 200; i++) {
      r += dr; c += dc;
      if (r < 0 || c < 0 || r > 500 || c > 500) { return; }
      var next = at(r, c);
      if (next) { next.focus(); next.select(); return; }
      if (dr !== 0 && !rowExists(r)) { return; }
    }
  }
  function rowExists(r) {
    for (var k in grid) { if (k.indexOf(r + ":") === 0) { return true; } }
    return false;
  }

  // A cell's text: a mark and/or "н" (absent) or "о" with minutes (late).
  function parse(text, el) {
    var cell = { person_id: +el.dataset.person };
    var mark = "", att = { status: "present" };
    text.trim().split(/\s+/).forEach(function (tok) {
      if (!tok) { return; }
      var low = tok.toLowerCase();
      if (low === "н" || low === "n") {
        att = { status: "absent" };
        if (el.dataset.reason) { att.reason = el.dataset.reason; }
      } else if (/^[оl]\d*$/.test(low)) {
        var m = parseInt(low.slice(1), 10) || parseInt(el.dataset.minutes, 10) || 5;
        att = { status: "late", minutes: m };
      } else {
        mark = tok;
      }
    });
    cell.mark = { value: mark };
    if (mark && el.dataset.kind) { cell.mark.kind = el.dataset.kind; }
    cell.attendance = att;
    return cell;
  }

  function toggle(el, token, other) {
    var parts = el.value.trim().split(/\s+/).filter(function (p) { return p !== ""; });
    var had = false;
    parts = parts.filter(function (p) {
      var low = p.toLowerCase();
      if (token.test(low)) { had = true; return false; }
      return !other.test(low);
    });
    if (!had) { parts.push(token === ABSENT ? "н" : "о"); }
    el.value = parts.join(" ");
  }
  var ABSENT = /^[нn]$/, LATE = /^[оl]\d*$/;

  function setState(el, state, msg) {
    var td = el.parentNode;
    td.setAttribute("data-state", state);
    var label = root.getAttribute("data-" + state) || state;
    el.setAttribute("aria-invalid", state === "failed" ? "true" : "false");
    el.title = msg ? label + ": " + msg : label;
    if (status) { status.textContent = el.getAttribute("aria-label") + ": " + (msg ? label + ": " + msg : label); }
  }

  function key() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  function save(el) {
    if (el.readOnly || el.value === el.dataset.saved || el.value === el.dataset.pending) { return; }
    var value = el.value;
    el.dataset.pending = value;
    var body = { cells: [parse(value, el)] };
    var reason = document.getElementById("journal-reason");
    if (reason) {
      if (!reason.value.trim()) { setState(el, "failed", reason.labels && reason.labels[0] ? reason.labels[0].textContent : ""); reason.focus(); return; }
      body.reason = reason.value.trim();
    }
    var idem = key(), tries = 0;
    setState(el, "saving");
    (function send() {
      tries++;
      fetch("/journal/lessons/" + el.dataset.lesson + "/cells", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Idempotency-Key": idem },
        body: JSON.stringify(body)
      }).then(function (resp) {
        return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
      }).then(function (res) {
        delete el.dataset.pending;
        var cell = res.data.cells && res.data.cells[0];
        if (res.ok && cell && (cell.status === "saved" || cell.status === "unchanged")) {
          el.dataset.saved = value;
          setState(el, "saved");
          return;
        }
        var msg = res.data.error || (cell && cell.errors && cell.errors.map(function (e) { return e.message; }).join("; ")) || "";
        setState(el, "failed", msg);
      }).catch(function () {
        if (tries < 4) {
          setState(el, "offline");
          setTimeout(send, 1000 * Math.pow(2, tries - 1));
        } else {
          delete el.dataset.pending;
          setState(el, "failed", root.getAttribute("data-offline"));
        }
      });
    })();
  }

  inputs.forEach(function (el) {
    el.addEventListener("change", function () { save(el); });
    el.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) { return; }
      switch (e.key) {
        case "ArrowUp": e.preventDefault(); save(el); move(el, -1, 0); return;
        case "ArrowDown": case "Enter": e.preventDefault(); save(el); move(el, 1, 0); return;
        case "ArrowLeft":
          if (el.selectionStart === 0 && el.selectionEnd === 0 || el.readOnly) { e.preventDefault(); save(el); move(el, 0, -1); }
          return;
        case "ArrowRight":
          if (el.selectionStart === el.value.length || el.readOnly) { e.preventDefault(); save(el); move(el, 0, 1); }
          return;
        case "Escape": el.value = el.dataset.saved; return;
      }
      if (el.readOnly) { return; }
      var k = e.key.toLowerCase();
      if (k === "н" || k === "n") { e.preventDefault(); toggle(el, ABSENT, LATE); return; }
      if (k === "о" || k === "l") { e.preventDefault(); toggle(el, LATE, ABSENT); return; }
    });
  });
})();
