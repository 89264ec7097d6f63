// GOV.UK Frontend's behaviours, once per page: the error summary takes focus, and a submit
// button pressed twice sends its form once. Pages work without this (docs/decisions/0006).
(function () {
  "use strict";
  if (!window.GOVUKFrontend) {
    return;
  }
  document.body.classList.add("js-enabled");
  // Every submit button, so that no template can forget it: sending a form twice is never wanted.
  var buttons = document.querySelectorAll('button[data-module="govuk-button"]:not([type="button"])');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].setAttribute("data-prevent-double-click", "true");
  }
  window.GOVUKFrontend.initAll();
})();
