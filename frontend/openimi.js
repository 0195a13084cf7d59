// Progressive enhancement only: every page works without JavaScript. Module scripts run
// only in browsers GOV.UK Frontend supports, so this is where we opt in to its components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Suggestions as you type in the directory search: a native <datalist>, which browsers and
// screen readers already handle with the keyboard.
for (const input of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (input.value.trim().length < 2) return;
      const response = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(input.value)}`,
        { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { suggestions } = await response.json();
      list.replaceChildren(...suggestions.map((name) => Object.assign(document.createElement("option"), { value: name })));
    }, 200);
  });
}

// A "Print" button where a page offers a printable copy (hidden without JavaScript).
for (const button of document.querySelectorAll("button[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
