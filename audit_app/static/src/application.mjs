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
  let dirty = false; // changes on the page that are not saved yet
  let saving = false; // one save at a time, so a reviewer never collides with themself
  let stopped = false;

  const say = (text) => {
    status.hidden = false;
    status.textContent = text;
  };
  const stop = (text) => {
    stopped = true;
    say(text);
  };

  async function save() {
    if (!dirty || stopped) return;
    if (saving) {
      timer = setTimeout(save, 500);
      return;
    }
    saving = true;
    dirty = false;
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual", // a sign-in redirect means the session has ended
        headers: { "X-Requested-With": "fetch" },
      });
    } catch {
      response = null;
    }
    saving = false;
    const json = response && (response.headers.get("content-type") || "").includes("json");
    if (response && response.ok && json) {
      const result = await response.json();
      version.value = String(result.version);
      const time = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      say(`Draft saved at ${time}`);
      return;
    }
    dirty = true; // nothing was saved: keep the changes, and keep warning before leaving
    if (!response) {
      say("Not saved yet: the connection was lost. Your answers are still on this page.");
    } else if (response.status === 409) {
      stop("Someone else has saved this return. Your answers are still on this page: press Save to see both.");
    } else if (response.type === "opaqueredirect" || response.status === 400 || !json) {
      stop("You have been signed out, so this draft cannot be saved. Copy your answers, sign in again and paste them back.");
    } else if (response.status === 422) {
      say("Not saved yet: an answer is not in the right form (for example a date or a number). Press Save to see which.");
    } else {
      stop("This return can no longer be changed here. Press Save to see why; your answers stay on this page.");
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
    dirty = false;
  });
  // Leaving the page: send what is not saved yet, and ask the browser to warn the person.
  window.addEventListener("pagehide", () => {
    if (dirty && !stopped && !saving) navigator.sendBeacon(url, new FormData(form));
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
}

for (const form of document.querySelectorAll("form[data-autosave]")) {
  applyConditions(form);
  startAutosave(form);
}
