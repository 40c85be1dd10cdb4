// A page that comes back with an error (a refused form, a conflict, an error message):
// the focus goes to the first one, so a screen reader reads it at once, and the
// window's title starts with "Error", as the first thing heard. Without JavaScript
// the errors stay tied to their fields (aria-describedby, aria-invalid).
const errorTitle = document.currentScript.dataset.errorTitle;

document.addEventListener("DOMContentLoaded", () => {
  // A group of boxes (the days of a rotation) is invalid as a whole: its first box.
  const first = document.querySelector(
    'main [role="alert"], main [aria-invalid="true"], main .has-error fieldset input',
  );
  if (!first) {
    return;
  }
  if (errorTitle) {
    document.title = `${errorTitle} ${document.title}`;
  }
  if (!first.matches("input, select, textarea, button, a[href], [tabindex]")) {
    first.setAttribute("tabindex", "-1");
  }
  first.focus();
});
