// Coupole's advisor desk (issue 15): forms update the page in place and
// keyboard shortcuts. Without this file every form still works: each POST
// redirects to a page (POST-redirect-GET), which this script only fetches
// instead of loading. No inline script anywhere (the CSP forbids it).
"use strict";
(function () {
  // focusNew puts the focus where the server says the step's result is.
  function focusNew() {
    var t = document.querySelector("main [autofocus]");
    if (t) { t.focus(); t.scrollIntoView({ block: "center" }); }
  }

  // Forms post with fetch; the redirected page replaces the body.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!(f instanceof HTMLFormElement) || f.method !== "post" || !new URL(f.action).pathname.startsWith("/interactions")) return;
    e.preventDefault();
    var body = new URLSearchParams(new FormData(f));
    if (e.submitter && e.submitter.name) body.append(e.submitter.name, e.submitter.value);
    fetch(f.action, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        return res.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          document.title = doc.title;
          document.body.replaceWith(document.adoptNode(doc.body));
          var url = new URL(res.url);
          if (url.pathname + url.search !== location.pathname + location.search) history.pushState(null, "", url.pathname + url.search);
          focusNew();
        });
      })
      .catch(function () { f.submit(); });
  });
  // The history only holds pages fetched with GET: going back reloads one.
  window.addEventListener("popstate", function () { location.reload(); });

  // Enter on a tick box of a form marked data-enter-submits sends it.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t instanceof HTMLInputElement && t.type === "checkbox" && t.form && t.form.hasAttribute("data-enter-submits")) {
      e.preventDefault();
      t.form.requestSubmit();
    }
  });

  // Alt+Shift+letter shortcuts (docs/ui.md): the letter is the key's
  // position (e.code), whatever the keyboard layout.
  var shortcuts = {
    KeyN: function () { var b = document.getElementById("open-interaction"); if (b) b.click(); else location.href = "/"; },
    KeyI: function () { focus("by-ean"); },
    KeyV: function () { focus("meter-given"); },
    KeyA: function () { var c = document.querySelector("#items input"); if (c) c.focus(); },
    KeyS: function () { var b = document.querySelector("#disclosure button.execute"); if (b) b.click(); },
    KeyW: function () { var c = document.querySelector("#reasons input"); if (c) c.focus(); },
    KeyC: function () { var b = document.getElementById("close"); if (b) b.click(); }
  };
  function focus(id) { var el = document.getElementById(id); if (el) el.focus(); }
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
    var f = shortcuts[e.code] || shortcuts["Key" + String(e.key).toUpperCase()];
    if (f) { e.preventDefault(); f(); }
  });

  // The live status of the call's deliveries (issue 15): while a badge of
  // the timeline is not final, ask the server every few seconds and
  // update the badges in place — the timeline is aria-live, so a change
  // is announced. One timer, whatever the page the body was replaced by.
  var polling = null;
  function pollDeliveries() {
    polling = null;
    var tl = document.getElementById("timeline");
    if (!tl || !tl.dataset.poll || !document.querySelector('.delivery-status[data-final="false"]')) return;
    if (document.hidden) { polling = setTimeout(pollDeliveries, +tl.dataset.pollMs || 3000); return; }
    fetch(tl.dataset.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (j) {
        (j && j.deliveries || []).forEach(function (d) {
          document.querySelectorAll('.delivery-status[data-delivery="' + d.id + '"]').forEach(function (b) {
            if (b.dataset.status === d.status) return;
            b.dataset.status = d.status;
            b.dataset.final = d.final ? "true" : "false";
            b.textContent = d.label;
          });
        });
      })
      .catch(function () {})
      .then(function () { if (!polling) polling = setTimeout(pollDeliveries, +tl.dataset.pollMs || 3000); });
  }
  new MutationObserver(function () { if (!polling) polling = setTimeout(pollDeliveries, 0); })
    .observe(document.documentElement, { childList: true });
  if (document.readyState !== "loading") focusNew();
  pollDeliveries();
})();
