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
