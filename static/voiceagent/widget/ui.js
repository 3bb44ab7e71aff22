// The widget's interface inside a Shadow DOM: launcher, panel, transcript, cards.

const STYLE = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; z-index: 2147483000; bottom: 20px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #15181e; }
.root.right { right: 20px; } .root.left { left: 20px; }
button { font: inherit; cursor: pointer; border-radius: 999px; border: 1px solid transparent; padding: .5rem .95rem; min-height: 44px; white-space: nowrap; }
button:focus-visible, input:focus-visible { outline: 3px solid #f5a524; outline-offset: 2px; }
button[disabled] { opacity: .55; cursor: not-allowed; }
.primary { background: var(--accent); color: var(--on-accent); }
.secondary { background: #fff; color: #15181e; border-color: #8a93a3; }
.danger { background: #b42318; color: #fff; }
.launcher { background: var(--accent); color: var(--on-accent); box-shadow: 0 6px 20px rgba(0,0,0,.25); font-weight: 600; }
.panel { position: absolute; bottom: 0; width: min(380px, calc(100vw - 24px)); max-height: min(620px, calc(100vh - 100px)); display: flex; flex-direction: column; background: #fff; border-radius: 16px; box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden; }
.root.right .panel { right: 0; } .root.left .panel { left: 0; }
.panel[hidden], .launcher[hidden] { display: none; }
header { display: flex; align-items: center; gap: .5rem; padding: .75rem 1rem; background: var(--accent); color: var(--on-accent); }
header h2 { font-size: 1rem; margin: 0; flex: 1; }
.close { background: transparent; color: inherit; min-height: 36px; padding: .25rem .6rem; }
.state { display: flex; align-items: center; gap: .4rem; padding: .5rem 1rem; font-weight: 600; border-bottom: 1px solid #e4e7ec; }
.dot { width: .65rem; height: .65rem; border-radius: 50%; background: #98a2b3; }
.state[data-state="listening"] .dot { background: #12b76a; }
.state[data-state="speaking"] .dot { background: var(--accent); }
.state[data-state="thinking"] .dot, .state[data-state="connecting"] .dot { background: #f79009; }
.state[data-state="error"] .dot { background: #d92d20; }
.alert { margin: .5rem 1rem 0; padding: .6rem .75rem; border-radius: 10px; background: #fef3f2; color: #7a271a; border: 1px solid #fecdca; }
.alert[hidden] { display: none; }
.alert .actions { display: flex; gap: .5rem; margin-top: .5rem; flex-wrap: wrap; }
.body { flex: 1; overflow-y: auto; padding: .5rem 1rem; }
ol.log { list-style: none; margin: 0; padding: 0; }
ol.log li { margin: .35rem 0; padding: .45rem .65rem; border-radius: 12px; max-width: 88%; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.log li.user { background: #e8eefc; margin-left: auto; }
ol.log li.assistant { background: #f2f4f7; }
ol.log li.partial { opacity: .75; }
ol.log li.note { background: none; color: #475467; font-size: .9em; max-width: 100%; text-align: center; }
.card { border: 1px solid #d0d5dd; border-radius: 12px; padding: .6rem .75rem; margin: .5rem 0; }
.card h3 { margin: 0 0 .3rem; font-size: .95rem; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: .1rem .6rem; margin: 0; }
.card dt { color: #475467; } .card dd { margin: 0; overflow-wrap: anywhere; }
.card a { color: #1849a9; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; background: #f2f4f7; }
.badge.confirmed { background: #d1fadf; color: #05603a; } .badge.failed, .badge.cancelled { background: #fee4e2; color: #912018; }
form.compose { display: flex; gap: .5rem; padding: .5rem 1rem; border-top: 1px solid #e4e7ec; }
form.compose input { flex: 1; min-width: 0; font: inherit; padding: .5rem .7rem; border: 1px solid #8a93a3; border-radius: 999px; min-height: 44px; }
footer { display: flex; gap: .5rem; padding: .5rem 1rem .9rem; flex-wrap: wrap; }
footer button { flex: 1 1 auto; padding: .5rem .75rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

export const STATE_LABELS = {
  idle: "Ready",
  connecting: "Connecting…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
  ended: "Call ended",
  error: "Something went wrong",
};

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** Builds the widget's DOM in a shadow root on ``host`` and returns handles to its parts. */
export function buildUi(host, options) {
  const shadow = host.attachShadow({ mode: "open" });
  const style = element("style");
  style.textContent = STYLE;
  const root = element("div", { class: `root ${options.position}` });
  root.style.setProperty("--accent", options.color);
  root.style.setProperty("--on-accent", "#ffffff");

  const launcher = element("button", { class: "launcher", type: "button", "aria-expanded": "false",
    "aria-controls": "panel" }, options.label);
  const panel = element("section", { class: "panel", id: "panel", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "title", hidden: "" });
  const header = element("header");
  const title = element("h2", { id: "title" }, options.title);
  const close = element("button", { class: "close", type: "button", "aria-label": "Close" }, "✕");
  header.append(title, close);

  const state = element("div", { class: "state", "data-state": "idle" });
  const dot = element("span", { class: "dot", "aria-hidden": "true" });
  const stateText = element("span", {}, STATE_LABELS.idle);
  state.append(dot, stateText);
  // Announced to screen readers; visible text lives in `state`.
  const live = element("div", { class: "sr-only", role: "status", "aria-live": "polite" });

  const alert = element("div", { class: "alert", role: "alert", hidden: "" });
  const alertText = element("p", { style: "margin:0" });
  const alertActions = element("div", { class: "actions" });
  const retry = element("button", { class: "primary", type: "button" }, "Try again");
  const typeInstead = element("button", { class: "secondary", type: "button" }, "Type instead");
  alertActions.append(retry, typeInstead);
  alert.append(alertText, alertActions);

  const body = element("div", { class: "body" });
  const log = element("ol", { class: "log", role: "log", "aria-label": "Conversation", "aria-live": "polite" });
  const cards = element("div", { class: "cards" });
  body.append(log, cards);

  const compose = element("form", { class: "compose" });
  const input = element("input", { type: "text", maxlength: "2000", autocomplete: "off",
    "aria-label": "Type a message", placeholder: "Type a message…", disabled: "" });
  const send = element("button", { class: "primary", type: "submit", disabled: "" }, "Send");
  compose.append(input, send);

  const footer = element("footer");
  const start = element("button", { class: "primary", type: "button" }, "Start call");
  const mute = element("button", { class: "secondary", type: "button", "aria-pressed": "false", hidden: "" }, "Mute");
  const stopSpeaking = element("button", { class: "secondary", type: "button", hidden: "" }, "Stop speaking");
  const end = element("button", { class: "danger", type: "button", hidden: "" }, "End call");
  footer.append(start, mute, stopSpeaking, end);

  panel.append(header, state, live, alert, body, compose, footer);
  root.append(panel, launcher);
  shadow.append(style, root);
  return { shadow, root, launcher, panel, close, state, stateText, live, alert, alertText, retry,
    typeInstead, body, log, cards, compose, input, send, start, mute, stopSpeaking, end };
}

export function addLine(ui, role, text, key) {
  let item = key ? ui.log.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  if (!item) {
    item = element("li", { class: role });
    if (key) item.dataset.key = key;
    ui.log.append(item);
  }
  item.textContent = text;
  ui.body.scrollTop = ui.body.scrollHeight;
  return item;
}

function card(ui, id, heading) {
  let box = ui.cards.querySelector(`[data-card="${CSS.escape(id)}"]`);
  if (!box) {
    box = element("section", { class: "card", "data-card": id });
    ui.cards.append(box);
  }
  box.replaceChildren(element("h3", {}, heading));
  requestAnimationFrame(() => { ui.body.scrollTop = ui.body.scrollHeight; });
  return box;
}

function details(rows) {
  const list = element("dl");
  for (const [label, value] of rows) {
    if (!value) continue;
    list.append(element("dt", {}, label), element("dd", {}, value));
  }
  return list;
}

/** The caller's details: one card, updated in place (``view`` from contact.js). */
export function showContact(ui, view) {
  const box = card(ui, "contact", view.heading);
  box.classList.toggle("saved", view.saved);
  box.append(details(view.rows));
  box.append(element("span", { class: `badge ${view.saved ? "confirmed" : ""}`.trim() }, view.status));
}

export function showAppointment(ui, appointment, language) {
  const box = card(ui, `appointment-${appointment.id}`, appointment.service || "Appointment");
  const start = new Date(appointment.start);
  const end = appointment.end ? new Date(appointment.end) : null;
  const when = new Intl.DateTimeFormat(language || undefined, { dateStyle: "full", timeStyle: "short" });
  const until = new Intl.DateTimeFormat(language || undefined, { timeStyle: "short" });
  const status = element("span", { class: `badge ${appointment.status}` }, appointment.status);
  box.append(details([["When", `${when.format(start)}${end ? ` – ${until.format(end)}` : ""}`]]));
  box.append(status);
  const links = element("p", { style: "margin:.4rem 0 0" });
  const targets = [
    [appointment.meeting_link, "Join the video meeting"],
    [appointment.calendar_link, "Open in calendar"],
    [appointment.ics_url, "Add to my calendar (.ics)"],
  ];
  for (const [href, label] of targets) {
    if (!href || !/^https?:\/\//.test(href) && !href.startsWith("/")) continue;
    const link = element("a", { href, target: "_blank", rel: "noopener" }, label);
    links.append(link, document.createTextNode(" "));
  }
  if (links.childNodes.length) box.append(links);
}
