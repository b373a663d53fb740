"use strict";
// What every page shares, without inline handlers (the Content-Security-Policy allows no inline
// script): a <select data-autosubmit> sends its form as soon as a choice is made.
document.addEventListener("change", event => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
