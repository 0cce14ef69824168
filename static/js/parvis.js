// Parvis' own behaviour, kept out of the pages so the Content-Security-Policy can refuse
// every inline script (htmx runs with allowEval off: no hx-on attributes).

// A form marked data-reset-on-success is emptied once htmx has added what it sent (a reply).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success")
      && event.detail.successful && event.detail.xhr.status === 200) {
    form.reset();
  }
});

// A form marked data-confirm="question" is sent only once the person has said yes.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm
      && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// The header's navigation menu (a <details>, so it opens and closes without JavaScript):
// Escape closes it and gives the focus back to its toggle; a click or the focus moving
// elsewhere on the page closes it too. Its open/closed state is announced natively.
function openNavMenu() {
  return document.querySelector("details[data-nav-menu][open]");
}

document.addEventListener("keydown", (event) => {
  const menu = openNavMenu();
  if (event.key === "Escape" && menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

document.addEventListener("click", (event) => {
  const menu = openNavMenu();
  if (menu && !menu.contains(event.target)) {
    menu.open = false;
  }
});

document.addEventListener("focusin", (event) => {
  const menu = openNavMenu();
  if (menu && !menu.contains(event.target)) {
    menu.open = false;
  }
});
