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


// --- Keep what is typed in this tab until the server has saved it ----------------------
// A form marked data-keep-unsaved="<person id>" keeps each answer that differs from what
// the server holds in sessionStorage (this tab only, gone when it closes; never
// localStorage: these are answers about children), keyed by the person and the page's path.
// An answer is forgotten once the server confirms its save (an autosave's reply, or the
// data-saved-form mark on the page after a save), and everything on "Sign out". When the
// session ended before the save (signed out elsewhere, or it expired), signing in again
// brings the person back to the page and the kept answers are put back into the form,
// except where the server now holds a different answer: that is left alone and what they
// typed is shown beside it.
const KEPT_PREFIX = "audit-app:unsaved:";
const NOT_KEPT = new Set(["csrf_token", "version", "action"]);
const NOT_KEPT_TYPES = new Set(["hidden", "submit", "button", "reset", "image", "file", "password"]);

function keptStore() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage turned off: the page works as before
  }
}

function forgetKept(store, matches) {
  for (let index = store.length - 1; index >= 0; index -= 1) {
    const key = store.key(index);
    if (key && key.startsWith(KEPT_PREFIX) && matches(key.slice(KEPT_PREFIX.length))) {
      store.removeItem(key);
    }
  }
}

// The form's answer fields by name (a radio group, a date's three boxes share a name).
function fieldsOf(form) {
  const fields = new Map();
  for (const element of form.elements) {
    if (!element.name || NOT_KEPT.has(element.name) || NOT_KEPT_TYPES.has(element.type)) continue;
    if (!fields.has(element.name)) fields.set(element.name, []);
    fields.get(element.name).push(element);
  }
  return fields;
}

function isChoice(element) {
  return element.type === "radio" || element.type === "checkbox";
}

function valueOf(elements) {
  if (isChoice(elements[0])) return elements.filter((e) => e.checked).map((e) => e.value);
  if (elements[0].multiple) return Array.from(elements[0].selectedOptions, (o) => o.value);
  if (elements.length > 1) return elements.map((e) => e.value);
  return elements[0].value;
}

function setValue(elements, value) {
  if (isChoice(elements[0])) {
    for (const element of elements) element.checked = value.includes(element.value);
  } else if (elements[0].multiple) {
    for (const option of elements[0].options) option.selected = value.includes(option.value);
  } else if (Array.isArray(value)) {
    elements.forEach((element, index) => {
      element.value = value[index] ?? "";
    });
  } else {
    elements[0].value = value;
  }
}

function snapshot(fields) {
  const values = {};
  for (const [name, elements] of fields) values[name] = valueOf(elements);
  return values;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// What was typed, in words: the labels of the choices, or the text.
function inWords(elements, value) {
  if (isChoice(elements[0]) || elements[0].multiple) {
    const options = elements[0].multiple ? Array.from(elements[0].options) : elements;
    return options
      .filter((option) => value.includes(option.value))
      .map((option) => {
        const label = option.labels?.[0] ?? option;
        return (label.textContent || option.value).trim();
      })
      .join("\n");
  }
  return Array.isArray(value) ? value.join(" ") : value;
}

function showKept(elements, value, heading) {
  const place = elements[0].closest(".govuk-form-group") || elements[0].parentElement;
  const inset = document.createElement("div");
  inset.className = "govuk-inset-text app-kept-answer";
  const title = document.createElement("p");
  title.className = "govuk-body govuk-!-font-weight-bold";
  title.textContent = heading;
  const text = document.createElement("p");
  text.className = "govuk-body app-preserve-lines";
  text.textContent = inWords(elements, value);
  inset.append(title, text);
  place.append(inset);
}

function tellPerson(form, paragraphs) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner app-kept-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", "app-kept-banner-title");
  banner.tabIndex = -1;
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("h2");
  title.className = "govuk-notification-banner__title";
  title.id = "app-kept-banner-title";
  title.textContent = "Important";
  header.append(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  paragraphs.forEach((words, index) => {
    const paragraph = document.createElement("p");
    paragraph.className = index === 0 ? "govuk-notification-banner__heading" : "govuk-body";
    paragraph.textContent = words;
    content.append(paragraph);
  });
  banner.append(header, content);
  const main = form.closest("main") || document.body;
  const anchor = Array.from(main.children).find((child) => child.contains(form));
  main.insertBefore(banner, anchor || main.firstChild);
  banner.focus();
}

function saveButtonText(form) {
  const button = form.querySelector('button[type="submit"], button:not([type])');
  return button ? button.textContent.trim() : "Save";
}

function keepUnsaved(form) {
  const store = keptStore();
  const person = form.dataset.keepUnsaved;
  if (!store || !person) return null;
  // The page's address with its query (?agency=3): the same path may hold another
  // agency's form.
  const key = `${KEPT_PREFIX}${person}:${window.location.pathname}${window.location.search}`;
  const fields = fieldsOf(form);
  let kept = {};
  try {
    kept = JSON.parse(store.getItem(key) || "{}");
  } catch {
    kept = {};
  }
  const write = () => {
    try {
      if (Object.keys(kept).length) store.setItem(key, JSON.stringify(kept));
      else store.removeItem(key);
    } catch {
      // storage is full or refused: the page works as before
    }
  };
  // What the server holds as far as this page knows: the answers shown, when the page
  // shows the saved answers; otherwise (the form shown again with what was sent) what
  // the kept copy says the server held.
  const base = snapshot(fields);
  let restored = 0;
  if (form.hasAttribute("data-shows-saved")) {
    const editable = !form.hasAttribute("data-not-editable");
    let conflicts = 0;
    for (const [name, entry] of Object.entries(kept)) {
      const elements = fields.get(name);
      if (!elements || same(base[name], entry.value)) {
        delete kept[name]; // saved already (or no longer asked)
      } else if (editable && same(base[name], entry.base)) {
        setValue(elements, entry.value);
        restored += 1;
      } else {
        entry.shown = true;
        conflicts += 1;
        showKept(
          elements,
          entry.value,
          editable
            ? "You typed this before you were signed out, but a different answer has been saved since, so it has not been put back:"
            : "You typed this before you were signed out (not saved):",
        );
      }
    }
    write();
    const paragraphs = [];
    if (!editable && conflicts) {
      paragraphs.push(
        "You were signed out before your answers were saved, and this page can no longer be changed. What you typed is shown under each question: copy anything you need.",
      );
    } else if (restored || conflicts) {
      paragraphs.push(
        restored
          ? `You were signed out before your answers were saved. We have put back what you typed on this page. Check it and select ${saveButtonText(form)}.`
          : "You were signed out before your answers were saved.",
      );
      if (conflicts) {
        paragraphs.push(
          conflicts === 1
            ? "A different answer to one question has been saved since you typed yours, so we have not put yours back there: it is shown under the question."
            : `Different answers to ${conflicts} questions have been saved since you typed yours, so we have not put yours back there: they are shown under the questions.`,
        );
      }
    }
    if (restored) form.dispatchEvent(new Event("change"));
    if (paragraphs.length) tellPerson(form, paragraphs);
  } else {
    for (const [name, entry] of Object.entries(kept)) base[name] = entry.base;
  }

  const remember = () => {
    const now = snapshot(fields);
    const next = {};
    for (const [name, value] of Object.entries(now)) {
      if (!same(value, base[name])) next[name] = { value, base: base[name] };
      else if (kept[name]?.shown) next[name] = kept[name]; // shown beside a newer answer
    }
    kept = next;
    write();
  };
  form.addEventListener("input", remember);
  form.addEventListener("change", remember);
  return {
    restored,
    now: () => snapshot(fields),
    // The server has saved these answers: they are what it holds now.
    confirm(sent) {
      Object.assign(base, sent);
      remember();
    },
  };
}

// On the page after a save: forget the copy kept of the form that was saved.
function forgetSavedForms() {
  const store = keptStore();
  if (!store) return;
  for (const mark of document.querySelectorAll("[data-saved-form]")) {
    const path = mark.dataset.savedForm;
    forgetKept(store, (rest) => rest.slice(rest.indexOf(":") + 1) === path);
  }
  // Signing out in this tab forgets everything kept in it; someone else signed in in this
  // tab may not see what the previous person typed.
  for (const signOut of document.querySelectorAll("form.app-sign-out")) {
    signOut.addEventListener("submit", () => forgetKept(store, () => true));
    const person = signOut.dataset.person;
    if (person) forgetKept(store, (rest) => !rest.startsWith(`${person}:`));
  }
}

// --- A return's section: save as the reviewer types, and before they leave ------------
function startAutosave(form, keeper) {
  const url = form.dataset.autosave;
  const status = form.querySelector(".app-autosave-status");
  const version = form.querySelector('input[name="version"]');
  let timer = null;
  let dirty = Boolean(keeper?.restored); // changes on the page that are not saved yet
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
    const sent = keeper?.now();
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
      if (sent) keeper.confirm(sent);
      const time = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      say(`Draft saved at ${time}`);
      return;
    }
    dirty = true; // nothing was saved: keep the changes, and keep warning before leaving
    if (!response) {
      say("Not saved yet: the connection was lost. Your answers are still on this page.");
    } else if (response.status === 409) {
      stop("Someone else has saved this return. Your answers are still on this page: press Save to see both.");
    } else if (response.status === 400 && json && (await response.json()).expired) {
      stop(
        `This page was opened before you last signed in, so it cannot save as you type. Select ${saveButtonText(form)} to save your answers${keeper ? " (what you typed is kept in this browser tab)" : ""}.`,
      );
    } else if (response.type === "opaqueredirect" || !json) {
      stop(
        keeper
          ? `You have been signed out, so this draft cannot be saved. What you typed is kept in this browser tab: select ${saveButtonText(form)}, sign in again, and it will be put back.`
          : "You have been signed out, so this draft cannot be saved. Copy your answers, sign in again and paste them back.",
      );
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

forgetSavedForms();
for (const form of document.querySelectorAll("form[data-keep-unsaved]")) {
  const keeper = keepUnsaved(form);
  if (form.dataset.autosave) {
    applyConditions(form);
    startAutosave(form, keeper);
  }
}
for (const form of document.querySelectorAll("form[data-autosave]:not([data-keep-unsaved])")) {
  applyConditions(form);
  startAutosave(form, null);
}

// --- The panel's Signs of Safety board: tag items without leaving the page ----------------
// (Section owned by the board: audit_app/panel/board_views.py.) Each item's "Add tag" and
// "Remove" forms (data-board-form) work as plain forms; here they are sent in the background
// instead (X-Requested-With: fetch, with the form's own CSRF token), and the item's tags are
// replaced by the ones the server sends back. Anything unexpected (signed out, an expired
// form, no connection) falls back to sending the form as a plain form.
function boardMessage(form, text, isError) {
  const item = form.closest(".app-board-item");
  if (!item) return;
  let status = item.querySelector(".app-board-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "govuk-body-s app-board-status";
    status.setAttribute("role", "status");
    item.querySelector(".app-board-tags")?.after(status);
  }
  status.textContent = isError ? "" : text;
  const error = form.querySelector(".app-board-form-error");
  if (error) {
    error.hidden = !isError;
    error.textContent = isError ? text : "";
  }
}

function addBoardTheme(theme) {
  for (const select of document.querySelectorAll("select.app-board-theme-select, #filter-theme")) {
    if (Array.from(select.options).some((option) => option.value === String(theme.id))) continue;
    const option = document.createElement("option");
    option.value = String(theme.id);
    option.textContent = theme.name;
    // Keep the list in name order, after its first "choose" option.
    const after = Array.from(select.options)
      .slice(1)
      .find((other) => other.textContent.localeCompare(theme.name) > 0);
    select.insertBefore(option, after || null);
  }
}

async function sendBoardForm(form) {
  let response = null;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "fetch" },
    });
  } catch {
    response = null;
  }
  const json = response && (response.headers.get("content-type") || "").includes("json");
  if (!json) return false; // signed out, expired or offline: send it the plain way
  const result = await response.json();
  if (response.status === 422) {
    boardMessage(form, result.message, true);
    return true;
  }
  if (!response.ok || !result.ok) return false;
  const item = form.closest(".app-board-item");
  const tags = item?.querySelector(".app-board-tags");
  if (tags) tags.innerHTML = result.tags_html;
  if (result.theme) addBoardTheme(result.theme);
  const input = form.querySelector('input[name="new_theme"]');
  if (input) input.value = "";
  const select = form.querySelector('select[name="theme"]');
  if (select) select.value = "";
  if (item) boardMessage(item.querySelector("form[action$='/board/tag']") || form, result.message, false);
  return true;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-board-form")) return;
  if (form.dataset.boardSending === "plain") return; // the fallback: let it go
  event.preventDefault();
  if (form.dataset.boardSending === "yes") return; // one at a time
  form.dataset.boardSending = "yes";
  const item = form.closest(".app-board-item");
  const handled = await sendBoardForm(form);
  delete form.dataset.boardSending;
  if (!handled) {
    form.dataset.boardSending = "plain";
    form.requestSubmit ? form.requestSubmit() : form.submit();
  } else if (item && !document.body.contains(form)) {
    // The remove button went with the old tags: keep the keyboard in the item.
    item.querySelector(".app-board-tags button, .govuk-details__summary")?.focus();
  }
});

// --- The SMART check as an action is written -------------------------------------------------
// A form marked data-smart-check="<url>" sends what is typed so far to that address (nothing
// is saved) a moment after the person stops typing, and shows the check's warnings and
// refusals under each field it concerns (the containers the page gives: [data-smart-field]).
// Without JavaScript, the same check runs when the form is saved.
function showSmartProblems(form, problems) {
  for (const box of form.querySelectorAll("[data-smart-field]")) {
    const field = box.dataset.smartField;
    const mine = problems.filter((problem) => problem.field === field);
    const shown = mine.map((problem) => problem.message).join("|");
    if (box.dataset.smartShown === shown) continue; // unchanged: do not re-announce it
    box.dataset.smartShown = shown;
    box.replaceChildren(
      ...mine.map((problem) => {
        const warning = document.createElement("div");
        warning.className = "govuk-warning-text govuk-!-margin-bottom-2";
        const icon = document.createElement("span");
        icon.className = "govuk-warning-text__icon";
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = "!";
        const text = document.createElement("strong");
        text.className = "govuk-warning-text__text";
        const hidden = document.createElement("span");
        hidden.className = "govuk-visually-hidden";
        hidden.textContent = problem.severity === "refused" ? "Needed" : "Warning";
        text.append(hidden, ` ${problem.message}`);
        warning.append(icon, text);
        return warning;
      }),
    );
  }
}

// The error a save left on a field goes once the person changes the field (the live check
// says what is still wrong), with its line in the error summary.
function clearFieldError(form, field) {
  const group = field.closest?.(".govuk-form-group--error");
  if (!group) return;
  group.classList.remove("govuk-form-group--error");
  for (const message of group.querySelectorAll(".govuk-error-message")) message.remove();
  for (const input of group.querySelectorAll("[class*='--error']")) {
    input.className = input.className.replace(/\s?govuk-[a-z-]+--error/g, "");
  }
  const ids = Array.from(group.querySelectorAll("[id]")).map((element) => `#${element.id}`);
  const summary = document.querySelector(".govuk-error-summary");
  if (!summary) return;
  for (const link of summary.querySelectorAll("a[href^='#']")) {
    if (ids.includes(link.getAttribute("href"))) link.closest("li")?.remove();
  }
  if (!summary.querySelector("li")) summary.remove();
}

function startSmartCheck(form) {
  let timer = null;
  let sent = 0;
  const check = async () => {
    const mine = ++sent;
    try {
      const response = await fetch(form.dataset.smartCheck, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok || mine !== sent) return;
      const result = await response.json();
      showSmartProblems(form, result.problems || []);
    } catch {
      // Offline or signed out: the check runs again when the form is saved.
    }
  };
  form.addEventListener("input", (event) => {
    clearFieldError(form, event.target);
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
}

for (const form of document.querySelectorAll("form[data-smart-check]")) {
  startSmartCheck(form);
}
