// Progressive enhancement only: every page works without this file.
// Portal: changing an item's quantity, reason, note or "opened" box ticks its "Return this item" box.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLElement) || field.matches("[data-pick]")) return;
  const controls = field.closest("[data-line-controls]");
  const pick = controls && controls.querySelector("[data-pick]");
  const chosen = field.type === "checkbox" ? field.checked : Boolean(field.value);
  if (pick && !pick.checked && chosen) pick.checked = true;
});

// A form that came back with problems: move focus to the summary so screen readers announce it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
});
