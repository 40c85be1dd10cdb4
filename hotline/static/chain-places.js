// "Add a member": one more place in a chain of people, added on the page.
// <button class="add-place" value="members" data-label-pattern="Member 0"
// data-label-offset="0" data-max="20"> sits after the places of its fieldset. Without
// JavaScript the same button sends the form back and the server answers with one more
// empty place, nothing saved; here it adds the place without leaving the page.
function addPlace(button) {
  const places = button.closest("fieldset").querySelectorAll(".field");
  const last = places[places.length - 1];
  const place = last.cloneNode(true);
  const select = place.querySelector("select");
  const label = place.querySelector("label");
  const index = places.length;
  select.id = `${button.value}-${index}`;
  select.name = select.id;
  select.removeAttribute("aria-invalid");
  select.removeAttribute("aria-describedby");
  for (const option of select.options) {
    option.defaultSelected = option.selected = option.value === "";
  }
  label.htmlFor = select.id;
  const number = index + 1 - Number(button.dataset.labelOffset || 0);
  label.textContent = button.dataset.labelPattern.replace("0", String(number));
  last.after(place);
  select.focus();
  if (index + 1 >= Number(button.dataset.max)) {
    button.hidden = true;
  }
}

for (const button of document.querySelectorAll("button.add-place")) {
  // No longer a submit button: only the form's own button sends it.
  button.type = "button";
  button.addEventListener("click", () => addPlace(button));
}
