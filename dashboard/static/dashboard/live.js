// The dashboard's live calls: one WebSocket per call (/ws/dashboard/calls/<id>/) that
// sends the call as stored so far ({kind: "snapshot"}), then each event the call's
// caller sees ({kind: "event", event}: docs/protocol.md), audio excepted. Captions
// grow with transcript deltas and are replaced by the final text. Plain script, no
// build step, no dependencies.
(function () {
  "use strict";

  var list = document.getElementById("live-calls");
  if (!list) return;
  var template = document.getElementById("live-call-template");
  var POLL_MS = 5000;
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var cards = {}; // call id -> card state

  function urlFor(pattern, id) {
    return pattern.replace(PLACEHOLDER, id);
  }

  function part(card, role) {
    return card.element.querySelector('[data-role="' + role + '"]');
  }

  // The note says what is happening now (the caller speaking, reconnecting); the
  // result, what came of a hang-up. Events clear the note, never the result.
  function setNote(card, text) {
    part(card, "note").textContent = text;
  }

  function setResult(card, text) {
    part(card, "result").textContent = text;
  }

  function scrollToEnd(card) {
    var conversation = part(card, "conversation");
    conversation.scrollTop = conversation.scrollHeight;
  }

  function roleName(role) {
    return role === "user" ? "Caller" : role === "assistant" ? "Agent" : "System";
  }

  // A transcript turn, found by role and item id, created when new: appended, or put
  // after ``after`` (null: first) for a turn the catch-up snapshot brings.
  function turnElement(card, role, itemId, after) {
    var key = role + ":" + (itemId || "");
    var element = itemId ? card.turns[key] : null;
    if (!element) {
      element = document.createElement("li");
      element.className = "turn " + role;
      var who = document.createElement("div");
      who.className = "who";
      who.textContent = roleName(role);
      var text = document.createElement("div");
      text.className = "text";
      element.appendChild(who);
      element.appendChild(text);
      var conversation = part(card, "conversation");
      if (after === undefined) conversation.appendChild(element);
      else conversation.insertBefore(element, after ? after.nextSibling : conversation.firstChild);
      if (itemId) card.turns[key] = element;
    }
    return element;
  }

  function addLine(card, className, text) {
    var element = document.createElement("li");
    element.className = className;
    element.textContent = text;
    part(card, "conversation").appendChild(element);
    scrollToEnd(card);
    return element;
  }

  function showTurn(card, role, itemId, text, final, extra) {
    var element = turnElement(card, role, itemId);
    var textElement = element.querySelector(".text");
    if (final) {
      textElement.textContent = text || textElement.textContent;
      element.classList.remove("partial");
    } else {
      textElement.textContent += text;
      element.classList.add("partial");
    }
    if (extra) {
      var who = element.querySelector(".who");
      who.textContent = roleName(role) + extra;
    }
    scrollToEnd(card);
    return element;
  }

  function showCaptured(card, info) {
    if (!info) return;
    var parts = [];
    if (info.name) parts.push(info.name);
    if (info.email) parts.push(info.email);
    if (info.phone) parts.push(info.phone);
    part(card, "captured").textContent = parts.length ? "Captured: " + parts.join(" · ") : "";
  }

  function markEnded(card, reason) {
    card.ended = true;
    card.element.classList.add("ended");
    var status = part(card, "status");
    status.textContent = "Ended" + (reason ? " (" + reason.replace(/_/g, " ") + ")" : "");
    status.classList.remove("live");
    var button = card.element.querySelector('[data-role="hang-up"] button');
    if (button) button.disabled = true;
    if (card.socket) card.socket.close();
  }

  function turnExtra(entry) {
    var extra = "";
    if (entry.latency_ms !== null && entry.latency_ms !== undefined) {
      extra += " · answered in " + entry.latency_ms + " ms";
    }
    if (entry.interrupted) extra += " · interrupted";
    return extra;
  }

  // The catch-up snapshot: turns said just before this page joined the call's events
  // were not stored yet for the first one. They go after what the first snapshot
  // showed and before anything the events brought since, which is newer.
  function catchUp(card, snapshot) {
    var after = card.snapshotEnd;
    snapshot.entries.forEach(function (entry) {
      if (entry.kind !== "turn") return;
      var key = entry.role + ":" + (entry.item_id || "");
      var existing = entry.item_id ? card.turns[key] : null;
      if (existing) {
        // Shown already: from a snapshot (the next missing turns go after it), or from
        // an event since the join (newer than any missing turn: they go before it).
        if (existing.dataset.stored) after = existing;
        return;
      }
      var element = turnElement(card, entry.role, entry.item_id, after || null);
      element.querySelector(".text").textContent = entry.text;
      element.querySelector(".who").textContent = roleName(entry.role) + turnExtra(entry);
      element.dataset.stored = "1";
      after = element;
    });
  }

  function showSnapshot(card, snapshot) {
    snapshot.entries.forEach(function (entry) {
      if (entry.kind === "turn") {
        showTurn(card, entry.role, entry.item_id, entry.text, true, turnExtra(entry)).dataset.stored = "1";
      } else {
        var text = (entry.kind === "knowledge" ? "Knowledge base" : "Tool: " + entry.name) +
          (entry.ok ? " succeeded" : " failed") + " in " + entry.latency_ms + " ms";
        if (entry.passages && entry.passages.length) text += ": " + entry.passages.join(", ");
        addLine(card, "tool" + (entry.ok ? "" : " failed"), text);
      }
    });
    card.snapshotEnd = part(card, "conversation").lastElementChild;
    card.element.dataset.connected = "true";
    showCaptured(card, snapshot.user_info);
    if (snapshot.status !== "connecting" && snapshot.status !== "active") {
      markEnded(card, snapshot.end_reason);
    } else {
      part(card, "status").textContent = snapshot.status === "active" ? "Active" : "Connecting";
    }
  }

  function showEvent(card, event) {
    switch (event.type) {
      case "ready":
        part(card, "status").textContent = "Active";
        break;
      case "transcript":
        showTurn(card, event.role, event.item_id, event.text, event.final, "");
        break;
      case "listening":
        setNote(card, "The caller is speaking…");
        return;
      case "response_done":
        setNote(card, "");
        return;
      case "tool":
        var key = event.name;
        if (event.status === "started") {
          card.tools[key] = addLine(card, "tool", "Tool: " + event.name + " running…");
        } else {
          var line = card.tools[key] || addLine(card, "tool", "");
          line.textContent = "Tool: " + event.name + " " + event.status;
          if (event.status === "failed") line.classList.add("failed");
          delete card.tools[key];
        }
        break;
      case "user_info":
        showCaptured(card, event.user_info);
        break;
      case "contact_saved":
        addLine(card, "note", "Contact saved: " + (event.contact.name || event.contact.email || event.contact.phone || ""));
        break;
      case "appointment":
        addLine(card, "note", "Appointment " + event.appointment.status + ": " + event.appointment.service + ", " + event.appointment.start);
        break;
      case "error":
        addLine(card, "note", "Error (" + event.code + "): " + event.message);
        break;
      case "ended":
        addLine(card, "note", "The call ended: " + String(event.reason).replace(/_/g, " ") + ".");
        markEnded(card, event.reason);
        break;
      default:
        return;
    }
    if (event.type !== "listening") setNote(card, "");
  }

  function connect(card) {
    if (card.ended) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + list.dataset.socketPath + card.id + "/");
    card.socket = socket;
    socket.addEventListener("message", function (message) {
      var data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data.kind === "snapshot" && data.catch_up) {
        catchUp(card, data);
      } else if (data.kind === "snapshot") {
        // A reconnection sends the whole call again: start from it.
        part(card, "conversation").textContent = "";
        card.turns = {};
        card.tools = {};
        showSnapshot(card, data);
      } else if (data.kind === "event" && data.event) {
        showEvent(card, data.event);
      }
    });
    socket.addEventListener("close", function () {
      card.socket = null;
      if (card.ended) return;
      card.retries += 1;
      if (card.retries > 10) {
        setNote(card, "Lost the connection to this call; reload the page.");
        return;
      }
      setNote(card, "Reconnecting…");
      window.setTimeout(function () { connect(card); }, Math.min(10000, 500 * card.retries));
    });
    socket.addEventListener("open", function () {
      card.retries = 0;
      setNote(card, "");
    });
  }

  function hangUpOnSubmit(card) {
    var form = card.element.querySelector('[data-role="hang-up"]');
    form.addEventListener("submit", function (submit) {
      submit.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      setResult(card, "Hanging up…");
      window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json();
      }).then(function (answer) {
        setResult(card, answer.message);
        if (answer.result === "ending") button.disabled = true;
        else if (answer.result !== "ended" && answer.result !== "not_live") button.disabled = false;
        if (answer.result === "not_live") markEnded(card, "");
      }).catch(function () {
        button.disabled = false;
        setResult(card, "The hang-up could not be sent; try again.");
      });
    });
  }

  function track(element) {
    var card = { id: element.dataset.callId, element: element, socket: null, turns: {}, tools: {}, ended: false, retries: 0 };
    cards[card.id] = card;
    hangUpOnSubmit(card);
    connect(card);
  }

  function addCall(call) {
    var element = template.content.firstElementChild.cloneNode(true);
    element.dataset.callId = call.id;
    element.setAttribute("aria-label", "Call with " + call.agent);
    var link = element.querySelector('[data-role="link"]');
    link.href = urlFor(list.dataset.callUrl, call.id);
    link.textContent = call.agent;
    element.querySelector('[data-role="channel"]').textContent = call.channel + (call.caller ? " · " + call.caller : "");
    element.querySelector('[data-role="since"]').textContent =
      "since " + new Date(call.started_at).toLocaleTimeString();
    element.querySelector('[data-role="status"]').textContent = call.status === "active" ? "Active" : "Connecting";
    element.querySelector('[data-role="hang-up"]').action = urlFor(list.dataset.hangUpUrl, call.id);
    var none = list.querySelector('[data-role="none"]');
    if (none) none.remove();
    list.insertBefore(element, list.firstChild);
    track(element);
  }

  function poll() {
    window.fetch(list.dataset.pollUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        answer.calls.forEach(function (call) {
          if (!cards[call.id]) addCall(call);
        });
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  Array.prototype.forEach.call(list.querySelectorAll("[data-call-id]"), track);
  window.setTimeout(poll, POLL_MS);
})();
