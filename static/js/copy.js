// A button marked data-copy="field id" copies that field's text; hidden where scripts do not
// run (the field's text can be selected by hand there).
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copied || button.textContent;
  });
});
