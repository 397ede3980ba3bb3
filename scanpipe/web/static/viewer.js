// Page viewer: the page image fits its column; a click (or Enter) shows it at full
// resolution inside a scrollable frame, so the reader pans by scrolling or dragging.
// No script, no zoom: the image still opens in full in its own tab (the link).
document.querySelectorAll(".viewer").forEach(function (frame) {
  var img = frame.querySelector("img");
  var button = frame.querySelector("button.zoom");
  var drag = null;
  function toggle(event) {
    if (event) event.preventDefault();
    var zoomed = frame.classList.toggle("zoomed");
    if (zoomed && img.dataset.large && img.src.indexOf(img.dataset.large) < 0) {
      img.src = img.dataset.large;
    }
    button.setAttribute("aria-pressed", zoomed ? "true" : "false");
  }
  button.addEventListener("click", toggle);
  frame.querySelector("a").addEventListener("click", toggle);
  frame.addEventListener("mousedown", function (e) {
    if (!frame.classList.contains("zoomed")) return;
    drag = { x: e.clientX, y: e.clientY, left: frame.scrollLeft, top: frame.scrollTop };
    e.preventDefault();
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    frame.scrollLeft = drag.left - (e.clientX - drag.x);
    frame.scrollTop = drag.top - (e.clientY - drag.y);
  });
  window.addEventListener("mouseup", function () { drag = null; });
});

// The query's words marked on the image too: boxes from the archive's text layer, as
// fractions of the page, so they stay on their words at any zoom.
document.querySelectorAll(".viewer[data-marks]").forEach(function (frame) {
  var sheet = frame.querySelector("a.sheet");
  fetch(frame.dataset.marks, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : { boxes: [] }; })
    .then(function (data) {
      data.boxes.forEach(function (b) {
        var mark = document.createElement("span");
        mark.className = "mark-box";
        mark.style.left = (100 * b[0]) + "%";
        mark.style.top = (100 * b[1]) + "%";
        mark.style.width = (100 * b[2]) + "%";
        mark.style.height = (100 * b[3]) + "%";
        sheet.appendChild(mark);
      });
      frame.dataset.marked = String(data.boxes.length);
    });
});
