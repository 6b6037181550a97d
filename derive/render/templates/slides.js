// Slides: one at a time. Keys, a click or a clicker move on; a step number then Enter opens
// that step; o shows all slides, b or . a black screen, s the speaker notes in a second
// window (this same file at #notes) that follows by postMessage: BroadcastChannel would
// also reach every other file:// page open in Chromium, such as the slides in another
// language. Without this script the page is a plain scrolling document.
(function () {
  "use strict";
  var root = document.documentElement;
  var slides = toArray(document.querySelectorAll("section.slide"));
  var DECK = "derive-slides";
  var NOTES = "#notes";
  var CONTROLS = "a[href], button, input, select, textarea, label, summary, [contenteditable], " +
    "[tabindex], .overview, .notes";
  if (!slides.length) { return; }

  function toArray(list) { return Array.prototype.slice.call(list); }
  function within(index) { return Math.max(0, Math.min(slides.length - 1, index)); }
  function ours(data) { return Boolean(data) && data.deck === DECK; }
  function copy(element) {
    var clone = element.cloneNode(true);
    clone.removeAttribute("id");
    toArray(clone.querySelectorAll("[id]")).forEach(function (e) { e.removeAttribute("id"); });
    return clone;
  }
  function title(slide) { return slide.querySelector("h1, h2") || slide.querySelector("figcaption"); }
  function fill(target, elements) {
    target.textContent = "";
    elements.forEach(function (e) { if (e) { target.appendChild(copy(e)); } });
  }
  function modified(event) { return event.altKey || event.ctrlKey || event.metaKey; }

  if (location.hash === NOTES) { notesView(); } else { deckView(); }

  function deckView() {
    root.classList.add("deck");
    var bar = document.querySelector(".progress");
    var counter = document.querySelector(".counter");
    var overview = document.querySelector(".overview");
    var blank = document.querySelector(".blank");
    var current = 0;
    var typed = "";
    var notes = null;

    function fragments(index) { return toArray(slides[index].querySelectorAll(".fragment")); }
    function shown(index) {
      return fragments(index).filter(function (f) { return f.classList.contains("shown"); }).length;
    }
    function reveal(index, count) {
      fragments(index).forEach(function (f, i) { f.classList.toggle("shown", i < count); });
    }
    // A step's slide is addressed by its step (#step-17), any other slide by its place.
    function address(index) {
      var step = slides[index].querySelector("h2[id^='step-']");
      return "#" + (step ? step.id : slides[index].id);
    }
    function indexOf(id) {
      var element = id ? document.getElementById(id) : null;
      var slide = element ? element.closest("section.slide") : null;
      return slide ? slides.indexOf(slide) : -1;
    }
    function fromAddress() { return Math.max(0, indexOf(decodeURIComponent(location.hash.slice(1)))); }
    function show(index, revealAll) {
      current = within(index);
      slides.forEach(function (s, i) { s.classList.toggle("current", i === current); });
      reveal(current, revealAll ? fragments(current).length : 0);
      bar.style.width = ((current + 1) / slides.length * 100) + "%";
      counter.textContent = (current + 1) + " / " + slides.length;
      if (window.history && history.replaceState) { history.replaceState(null, "", address(current)); }
      tell();
    }
    function next() {
      var done = shown(current);
      if (done < fragments(current).length) { reveal(current, done + 1); }
      else if (current < slides.length - 1) { show(current + 1, false); }
    }
    function previous() {
      var done = shown(current);
      if (done > 0) { reveal(current, done - 1); }
      else if (current > 0) { show(current - 1, true); }
    }
    function step(number) {
      var found = indexOf("step-" + number);
      if (found >= 0) { show(found, false); }
    }
    function blanked() { return !blank.hidden; }
    function toggleBlank() { blank.hidden = blanked(); tell(); }

    // The overview: a card per slide, its place and its title; click, or arrows then Enter.
    function cards() { return toArray(overview.querySelectorAll(".card")); }
    function makeCards() {
      var grid = overview.querySelector(".cards");
      slides.forEach(function (slide, i) {
        var card = document.createElement("button");
        card.type = "button";
        card.className = "card";
        card.dataset.index = String(i);
        var number = document.createElement("span");
        number.className = "card-number";
        number.textContent = String(i + 1);
        var name = document.createElement("span");
        name.className = "card-title";
        fill(name, [title(slide)].concat(toArray(slide.querySelectorAll(".example-lines .lhs math"))));
        card.appendChild(number);
        card.appendChild(name);
        grid.appendChild(card);
      });
    }
    function openOverview() {
      if (!cards().length) { makeCards(); }
      cards().forEach(function (c, i) { c.classList.toggle("current", i === current); });
      overview.hidden = false;
      cards()[current].focus();
    }
    function closeOverview(index) {
      overview.hidden = true;
      if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
      if (index !== undefined && index !== current) { show(index, false); }
    }
    function overviewKey(key) {
      var all = cards();
      var at = Math.max(0, all.indexOf(document.activeElement));
      var columns = all.filter(function (c) { return c.offsetTop === all[0].offsetTop; }).length;
      var moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns,
        Home: -all.length, End: all.length };
      if (Object.prototype.hasOwnProperty.call(moves, key)) { all[within(at + moves[key])].focus(); }
      else if (key === "Enter" || key === " ") { closeOverview(at); }
      else if (key === "Escape" || key === "o" || key === "O") { closeOverview(); }
      else { return false; }
      return true;
    }

    // The speaker notes: this file again, at #notes, told the place after every move.
    function openNotes() {
      if (notes && !notes.closed) { notes.focus(); return; }
      notes = window.open(location.href.split("#")[0] + NOTES, "derive-notes", "width=960,height=640");
    }
    function tell() {
      if (notes && !notes.closed) {
        notes.postMessage({ deck: DECK, index: current, blank: blanked() }, "*");
      }
    }

    var KEYS = {
      ArrowRight: next, " ": next, PageDown: next, ArrowLeft: previous, PageUp: previous,
      Home: function () { show(0, false); },
      End: function () { show(slides.length - 1, true); },
      b: toggleBlank, B: toggleBlank, ".": toggleBlank,
      o: openOverview, O: openOverview, s: openNotes, S: openNotes
    };
    var UNBLANK = ["b", "B", ".", "Escape"];

    function press(key) {
      if (!overview.hidden) { return overviewKey(key); }
      if (blanked()) {
        if (UNBLANK.indexOf(key) >= 0) { toggleBlank(); return true; }
        return false;
      }
      if (/^[0-9]$/.test(key)) { typed += key; return true; }
      var number = typed;
      typed = "";
      if (key === "Enter" && number) { step(parseInt(number, 10)); return true; }
      if (!Object.prototype.hasOwnProperty.call(KEYS, key)) { return false; }
      KEYS[key]();
      return true;
    }

    document.addEventListener("keydown", function (event) {
      if (!modified(event) && press(event.key)) { event.preventDefault(); }
    });
    document.addEventListener("click", function (event) {
      if (event.button !== 0 || modified(event) || event.shiftKey) { return; }
      if (!overview.hidden || blanked() || event.target.closest(CONTROLS)) { return; }
      var selection = window.getSelection();
      if (selection && !selection.isCollapsed) { return; }
      next();
    });
    overview.addEventListener("click", function (event) {
      var card = event.target.closest(".card");
      closeOverview(card ? Number(card.dataset.index) : undefined);
    });
    window.addEventListener("message", function (event) {
      if (!ours(event.data) || !event.source) { return; }
      if (notes && !notes.closed && event.source !== notes) { return; }
      notes = event.source;  // also after a reload of this page, when the notes say hello
      if (typeof event.data.key === "string") { press(event.data.key); } else { tell(); }
    });
    window.addEventListener("hashchange", function () { show(fromAddress(), true); });
    window.addEventListener("beforeprint", function () {
      slides.forEach(function (s, i) { reveal(i, fragments(i).length); });
    });
    show(fromAddress(), fromAddress() > 0);
  }

  // The notes window: the current slide's title and explanation, the next slide's title,
  // the time of day and the time since the notes opened; its keys move the slides.
  function notesView() {
    root.classList.add("notes-mode");
    var notes = document.querySelector(".notes");
    var part = function (name) { return notes.querySelector(".notes-" + name); };
    var timer = part("timer");
    var started = Date.now();
    var following = "";
    var FORWARD = /^(Arrow(Left|Right|Up|Down)|Page(Up|Down)|Home|End|Enter|Escape| |[0-9bBoO.])$/;
    notes.hidden = false;
    document.title = notes.getAttribute("aria-label") + " · " + document.title;

    function two(n) { return (n < 10 ? "0" : "") + n; }
    function elapsed(ms) {
      var s = Math.floor(ms / 1000);
      var h = Math.floor(s / 3600);
      return (h ? h + ":" + two(Math.floor(s / 60) % 60) : String(Math.floor(s / 60))) + ":" + two(s % 60);
    }
    function opener() { return window.opener && !window.opener.closed ? window.opener : null; }
    function say(data) {
      var main = opener();
      data.deck = DECK;
      if (main) { main.postMessage(data, "*"); }
    }
    function tick() {
      var now = new Date();
      part("clock").textContent = two(now.getHours()) + ":" + two(now.getMinutes());
      timer.textContent = elapsed(Date.now() - started);
      say({ hello: true });
    }
    function follow(index, blank) {
      var slide = slides[within(index)];
      var after = slides[within(index) + 1];
      if (following === index + "/" + blank) { return; }
      following = index + "/" + blank;
      fill(part("current"), [title(slide)].concat(toArray(slide.querySelectorAll(".explanation, .note"))));
      fill(part("next-title"), after ? [title(after)] : []);
      part("next").hidden = !after;
      part("last").hidden = Boolean(after);
      part("blank").hidden = !blank;
      part("position").textContent = (within(index) + 1) + " / " + slides.length;
    }

    window.addEventListener("message", function (event) {
      var data = event.data;
      if (ours(data) && event.source === opener() && typeof data.index === "number") {
        follow(data.index, Boolean(data.blank));
      }
    });
    document.addEventListener("keydown", function (event) {
      var activates = event.target === timer && (event.key === "Enter" || event.key === " ");
      if (modified(event) || activates || !FORWARD.test(event.key)) { return; }
      say({ key: event.key });
      event.preventDefault();
    });
    timer.addEventListener("click", function () { started = Date.now(); timer.blur(); tick(); });
    follow(0, false);
    tick();
    setInterval(tick, 1000);
  }
}());
