// ExtraMile's few behaviours, in a file rather than inline: the Content-Security-Policy allows no
// inline script or event handler (docs/operations.md, "Headers"). Every page loads this (defer).
"use strict";

// A <select data-autosubmit> sends its form when changed (a <noscript> button does without).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});

// Card page: "Use this line" adds the suggestion to the message above the sign-off, and the
// message is checked again (its input event).
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest(".use-line") : null;
  var box = document.getElementById("message");
  if (!button || !box) {
    return;
  }
  var lines = box.value.replace(/\s+$/, "").split("\n");
  var at = lines.length;
  if (at > 1 && lines[at - 1].trim().endsWith(",")) {
    at -= 1;
  }
  lines.splice(at, 0, button.dataset.line, "");
  box.value = lines.join("\n");
  box.dispatchEvent(new Event("input", {bubbles: true}));
  box.focus();
});

// A <form data-reset-on-success> sent with htmx is emptied once the server took it (the quick
// log), and kept as typed when the answer is an error, so nothing is lost.
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail && event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset-on-success")) {
    return;
  }
  if (event.detail.successful && !event.detail.xhr.responseText.includes("msg-error")) {
    form.reset();
  }
});

// A table wider than its card scrolls inside it (.table-wrap): when it does, the wrapper says so
// (a "Scroll for more columns" cue and shadows at the hidden edges, in the stylesheet) and can be
// scrolled from the keyboard (a focusable region named after the table's heading).
function markWideTables(root) {
  var scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll(".table-wrap").forEach(function (wrap) {
    var wide = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("overflowing", wide);
    if (wide) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label")) {
        var section = wrap.closest("section, .card, main");
        var heading = section ? section.querySelector("h1, h2, h3") : null;
        var caption = wrap.querySelector("caption");
        var name = (caption || heading) ? (caption || heading).textContent.trim() : "Table";
        wrap.setAttribute("aria-label", name + " (scrolls sideways)");
      }
    } else if (wrap.getAttribute("tabindex") === "0") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { markWideTables(document); });
window.addEventListener("resize", function () { markWideTables(document); });
document.addEventListener("htmx:afterSettle", function (event) { markWideTables(event.target); });

// The phone's "More" menu closes when a click lands outside it, or on Escape.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.more-menu[open]").forEach(function (menu) {
    if (!(event.target instanceof Node) || !menu.contains(event.target)) {
      menu.removeAttribute("open");
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details.more-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  }
});

// The check-in: Enter in the note never saves a score (the form's disabled guard button stops the
// browser's implicit submission); it moves the focus to the scores, on the one already chosen.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.closest(".check-in-form")) {
    return;
  }
  event.preventDefault();
  var form = input.closest(".check-in-form");
  var target = form.querySelector(".score.chosen") || form.querySelector(".score");
  if (target) { target.focus(); }
});
