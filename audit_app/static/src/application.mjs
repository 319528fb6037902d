// Starts the GOV.UK Frontend components on every page, then this service's own behaviour.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// --- A return's section: show a question only when its condition is met ---------------
function valuesOf(form, name) {
  return Array.from(form.querySelectorAll(`[name="${CSS.escape(name)}"]`))
    .filter((input) => (input.type === "radio" || input.type === "checkbox" ? input.checked : true))
    .map((input) => input.value);
}

function applyConditions(form) {
  for (const question of form.querySelectorAll("[data-show-if]")) {
    const target = question.dataset.showIf;
    const wanted = question.dataset.showValues.split("|");
    // A condition on a question of another section cannot be checked here: leave it shown.
    if (!form.querySelector(`[name="${CSS.escape(target)}"]`)) continue;
    const shown = valuesOf(form, target).some((value) => wanted.includes(value));
    question.hidden = !shown;
    const hint = question.querySelector(".app-condition");
    if (hint) hint.hidden = true;
  }
}

// --- A return's section: save as the reviewer types, and before they leave ------------
function startAutosave(form) {
  const url = form.dataset.autosave;
  const status = form.querySelector(".app-autosave-status");
  const version = form.querySelector('input[name="version"]');
  let timer = null;
  let dirty = false;
  let stopped = false;

  const say = (text) => {
    status.hidden = false;
    status.textContent = text;
  };

  async function save() {
    if (!dirty || stopped) return;
    dirty = false;
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
    } catch {
      dirty = true; // offline: keep the changes and try again on the next change
      say("Not saved yet: the connection was lost. Your answers are still on this page.");
      return;
    }
    if (response.ok) {
      const result = await response.json();
      version.value = String(result.version);
      say(`Draft saved at ${new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`);
    } else if (response.status === 409) {
      stopped = true;
      say("Someone else has saved this return. Your answers are still on this page: press Save to see both.");
    } else if (response.status === 400 && (await response.text()).includes("form has expired")) {
      stopped = true;
      say("Your session has ended. Copy your answers, sign in again and paste them back.");
    } else {
      dirty = true;
      say("Not saved yet: check the answers marked on the page, then press Save.");
    }
  }

  form.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  form.addEventListener("change", () => applyConditions(form));
  form.addEventListener("submit", () => {
    stopped = true; // the page's own save takes over
  });
  // Leaving the page: send what is not saved yet, without waiting for an answer.
  window.addEventListener("pagehide", () => {
    if (dirty && !stopped) navigator.sendBeacon(url, new FormData(form));
  });
}

for (const form of document.querySelectorAll("form[data-autosave]")) {
  applyConditions(form);
  startAutosave(form);
}
