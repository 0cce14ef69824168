// @mention suggestions while typing in a post's text: names come from
// /api/v1/members/suggest; choosing one writes its handle (@Alice_Martin). Without this
// script a member types the handle themselves.
(() => {
  const MENTION = /(?:^|[\s(])@([^\s@]{1,40})$/u;
  let list = null;
  let target = null;
  let timer = 0;

  const close = () => {
    if (list) list.remove();
    list = null;
    if (target) target.removeAttribute("aria-activedescendant");
  };

  const choose = (option) => {
    const field = target;
    const before = field.value.slice(0, field.selectionStart);
    const after = field.value.slice(field.selectionStart);
    const start = before.lastIndexOf("@");
    field.value = before.slice(0, start) + option.dataset.handle + " " + after;
    const caret = start + option.dataset.handle.length + 1;
    field.setSelectionRange(caret, caret);
    close();
    field.focus();
  };

  const show = (field, members) => {
    close();
    if (!members.length) return;
    target = field;
    list = document.createElement("ul");
    list.className = "mention-list";
    list.id = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", field.dataset.mentionLabel || "Members");
    members.forEach((member, index) => {
      const option = document.createElement("li");
      option.id = `mention-option-${index}`;
      option.setAttribute("role", "option");
      option.dataset.handle = member.handle;
      option.textContent = `${member.name} (${member.handle})`;
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(option); });
      list.append(option);
    });
    field.after(list);
    select(0);
  };

  const options = () => (list ? [...list.querySelectorAll("[role=option]")] : []);

  const select = (index) => {
    const all = options();
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (all[index]) target.setAttribute("aria-activedescendant", all[index].id);
  };

  const selected = () => options().findIndex((o) => o.getAttribute("aria-selected") === "true");

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || field.name !== "body") return;
    const typed = MENTION.exec(field.value.slice(0, field.selectionStart));
    window.clearTimeout(timer);
    if (!typed) { close(); return; }
    timer = window.setTimeout(async () => {
      const answer = await fetch(`/api/v1/members/suggest?q=${encodeURIComponent(typed[1])}`,
                                 { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (answer.ok) show(field, await answer.json());
    }, 150);
  });

  document.addEventListener("keydown", (event) => {
    if (!list || event.target !== target) return;
    const count = options().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      select((selected() + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(options()[Math.max(selected(), 0)]);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", (event) => { if (event.target === target) close(); });
})();
