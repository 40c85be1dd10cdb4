// On a phone the month is a list of days (planning.css): open the current month at
// today rather than at the 1st, so an agent does not scroll past every day gone by
// to reach it. The days before stay above, a scroll up away. A computer shows the
// month as a grid, whole on one screen: nothing moves there.
const phone = window.matchMedia("(max-width: 40rem)");

document.addEventListener("DOMContentLoaded", () => {
  const today = document.querySelector("table.month-view td.today");
  // A link to a place in the page, or a reload that restored the scroll, wins.
  if (!today || !phone.matches || window.location.hash || window.scrollY > 0) {
    return;
  }
  today.scrollIntoView({ block: "start" });
});
