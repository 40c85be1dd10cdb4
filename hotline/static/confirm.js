// Asks before a form that cannot be undone is sent: <form data-confirm="Question?">.
// Without JavaScript the form is sent as before; the server never relies on this.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
