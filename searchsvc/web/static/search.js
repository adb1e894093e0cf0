/* searchsvc: live search. Without this file the page is a plain GET form; with it, results update
   as you type or tick filters, and the URL and browser history follow. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // "/" jumps to the search box (the page's own, else the header's) unless the user is typing in a field.
  var NOT_TYPING = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, range: 1, color: 1, file: 1 };
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var t = event.target;
    if (t && (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
              (t.tagName === "INPUT" && !NOT_TYPING[(t.type || "").toLowerCase()]))) { return; }
    var box = document.getElementById("q") || document.getElementById("mini-q");
    if (!box) { return; }
    event.preventDefault();
    box.focus();
    box.select();
  });

  var form = document.getElementById("search-form");
  if (!form || !window.fetch || !window.history || !window.URLSearchParams) { return; }

  var fragmentUrl = form.getAttribute("data-fragment-url") || "/results";
  var live = document.getElementById("live-status");
  var DEBOUNCE_MS = 300;
  var timer = null;
  var controller = null;
  var typing = false;          // true while a run of keystrokes shares one history entry
  var narrow = window.matchMedia && window.matchMedia("(max-width: 52rem)").matches;
  var closedFacets = {};       // facet ids the user closed (kept across updates)

  var DEFAULTS = { sort: "relevance", scope: "both" };   // left out of URLs, as the server does

  function formQuery() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value !== "string") { return; }
      value = value.trim();
      if (value !== "" && DEFAULTS[key] !== value) { params.append(key, value); }
    });
    return params.toString();
  }

  function pageUrl(query) { return "/" + (query ? "?" + query : ""); }

  function syncControls(query) {
    var params = new URLSearchParams(query);
    ["q", "sort", "scope", "from", "to"].forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el) { return; }
      var value = params.get(name);
      if (el.tagName === "SELECT") {
        el.value = value || el.options[0].value;
      } else {
        el.value = value || "";
      }
    });
  }

  function applyFacetState(root) {
    root.querySelectorAll("details.facet").forEach(function (d) {
      var hasSelection = d.querySelector("input:checked") !== null;
      if (closedFacets[d.id] === true || (closedFacets[d.id] === undefined && narrow && !hasSelection)) {
        d.removeAttribute("open");
      }
    });
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var active = document.activeElement;
    var focusKey = active && active.name && active.type === "checkbox" ? [active.name, active.value] : null;
    var focusId = active && active.id;
    ["facets", "results"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) {
        old.replaceWith(document.adoptNode(fresh));
      }
    });
    applyFacetState(document);
    var results = document.getElementById("results");
    if (results && results.getAttribute("data-title")) { document.title = results.getAttribute("data-title"); }
    var summary = document.getElementById("summary");
    if (live && summary) { live.textContent = summary.textContent.replace(/\s+/g, " ").trim(); }
    // Keep keyboard focus where it was (the same checkbox, or the same control).
    if (focusKey) {
      var boxes = form.querySelectorAll('input[type="checkbox"]');
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].name === focusKey[0] && boxes[i].value === focusKey[1]) { boxes[i].focus(); return; }
      }
    } else if (focusId && !document.getElementById(focusId) && results) {
      results.setAttribute("tabindex", "-1");
      results.focus();
    }
  }

  function load(query, mode) {
    // mode: "push" (new history entry), "replace" (update the current one), "none" (history navigation)
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var results = document.getElementById("results");
    if (results) { results.setAttribute("aria-busy", "true"); }
    var url = pageUrl(query);
    if (mode === "push") { history.pushState({ query: query }, "", url); }
    else if (mode === "replace") { history.replaceState({ query: query }, "", url); }
    return fetch(fragmentUrl + (query ? "?" + query : ""), {
      headers: { "Accept": "text/html" },
      signal: controller ? controller.signal : undefined,
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.text();
    }).then(function (html) {
      swap(html);
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      // Network trouble: fall back to an ordinary page load.
      window.location.assign(url);
    });
  }

  function navigate(query) {
    typing = false;
    clearTimeout(timer);
    if (query === location.search.replace(/^\?/, "")) { return; }
    load(query, "push");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    navigate(formQuery());
  });

  form.addEventListener("input", function (event) {
    if (event.target.name !== "q") { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = formQuery();
      if (query === location.search.replace(/^\?/, "")) { return; }
      load(query, typing ? "replace" : "push");
      typing = true;
    }, DEBOUNCE_MS);
  });

  form.addEventListener("change", function (event) {
    var t = event.target;
    if (t.name === "q") { return; }
    if (t.type === "date" && t.value && !/^\d{4}-\d{2}-\d{2}$/.test(t.value)) { return; }
    navigate(formQuery());
  });

  form.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-nav]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var target = new URL(link.getAttribute("href"), location.href);   // also SVG <a> (timeline bars)
    if (target.origin !== location.origin) { return; }
    event.preventDefault();
    var query = target.search.replace(/^\?/, "");
    syncControls(query);
    navigate(query);
    var main = document.getElementById("results");
    if (main && main.getBoundingClientRect().top < 0) { main.scrollIntoView(); }
  });

  form.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.classList && d.classList.contains("facet") && d.id) { closedFacets[d.id] = !d.open; }
  }, true);

  window.addEventListener("popstate", function () {
    var query = location.search.replace(/^\?/, "");
    typing = false;
    syncControls(query);
    load(query, "none");
  });

  history.replaceState({ query: location.search.replace(/^\?/, "") }, "", location.href);
  applyFacetState(document);
})();
