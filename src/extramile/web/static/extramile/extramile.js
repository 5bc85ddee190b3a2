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
