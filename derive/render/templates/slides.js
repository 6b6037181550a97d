// Slides: one at a time, keyboard navigation, step-wise reveal, the place in the address.
// Without this script the page is a plain scrolling document.
(function () {
  "use strict";
  var root = document.documentElement;
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  if (!slides.length) { return; }
  root.classList.add("deck");
  var bar = document.querySelector(".progress");
  var counter = document.querySelector(".counter");
  var current = 0;
  var typed = "";

  function fragments(index) {
    return Array.prototype.slice.call(slides[index].querySelectorAll(".fragment"));
  }
  function shown(index) {
    return fragments(index).filter(function (f) { return f.classList.contains("shown"); }).length;
  }
  function reveal(index, count) {
    fragments(index).forEach(function (f, i) { f.classList.toggle("shown", i < count); });
  }
  function show(index, revealAll) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    reveal(current, revealAll ? fragments(current).length : 0);
    bar.style.width = ((current + 1) / slides.length * 100) + "%";
    counter.textContent = (current + 1) + " / " + slides.length;
    if (window.history && history.replaceState) {
      history.replaceState(null, "", "#" + slides[current].id);
    }
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
  function fromAddress() {
    var id = decodeURIComponent(location.hash.slice(1));
    var found = slides.findIndex(function (s) { return s.id === id; });
    return found < 0 ? 0 : found;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (/^[0-9]$/.test(key)) { typed += key; return; }
    if (key === "Enter" && typed) {
      show(parseInt(typed, 10) - 1, false);
      typed = "";
    } else if (key === "ArrowRight" || key === " " || key === "PageDown") { next(); }
    else if (key === "ArrowLeft" || key === "PageUp") { previous(); }
    else if (key === "Home") { show(0, false); }
    else if (key === "End") { show(slides.length - 1, true); }
    else { typed = ""; return; }
    typed = key === "Enter" ? "" : typed;
    event.preventDefault();
  });
  window.addEventListener("hashchange", function () { show(fromAddress(), true); });
  window.addEventListener("beforeprint", function () {
    slides.forEach(function (s, i) { reveal(i, fragments(i).length); });
  });
  show(fromAddress(), fromAddress() > 0);
}());
