// The embeddable voice widget: one call at a time over docs/protocol.md.
import { bytesToBase64 } from "./dsp.js";
import { Player } from "./player.js";
import { contactView, emptyContact, withContactSaved, withUserInfo } from "./contact.js";
import { STATE_LABELS, addLine, buildUi, showAppointment, showContact } from "./ui.js";

const PLAYBACK_REPORT_MS = 250;
const END_REASONS = {
  client_ended: "You ended the call.",
  agent_ended: "The assistant ended the call.",
  max_duration: "The call reached its time limit.",
  idle_timeout: "The call ended after a long silence.",
  upstream_closed: "The voice service ended the call.",
  upstream_unavailable: "The voice service could not be reached. Please try again.",
  protocol_abuse: "The call was ended because of invalid data.",
  server_shutdown: "The server restarted. Please call again.",
  staff_ended: "The call was ended by the team.",
};
const MIC_ERRORS = {
  NotAllowedError: "Microphone access was denied. Allow it in your browser's site settings, or type instead.",
  SecurityError: "Microphone access was denied. Allow it in your browser's site settings, or type instead.",
  NotFoundError: "No microphone was found. You can type instead.",
  OverconstrainedError: "No suitable microphone was found. You can type instead.",
  NotReadableError: "The microphone is in use by another application. You can type instead.",
};

export class VoiceWidget {
  constructor(host, options) {
    this.options = options;
    this.ui = buildUi(host, options);
    this.host = host;
    this.state = "idle";
    this.socket = null;
    this.context = null;
    this.player = null;
    this.stream = null;
    this.capture = null;
    this.muted = false;
    this.useMicrophone = true;
    this.reconnected = false;
    this.ready = false;
    this.partials = new Map();
    this.contact = emptyContact();
    this.stats = { framesSent: 0, bytesSent: 0, audioReceived: 0, listeningAt: null, silencedAt: null };
    this.bind();
    this.setState("idle");
    if (options.open) this.openPanel(false);
  }

  bind() {
    const ui = this.ui;
    ui.launcher.addEventListener("click", () => (ui.panel.hidden ? this.openPanel(true) : this.closePanel()));
    ui.close.addEventListener("click", () => this.closePanel());
    ui.panel.addEventListener("keydown", (event) => { if (event.key === "Escape") this.closePanel(); });
    ui.start.addEventListener("click", () => this.start(true));
    ui.retry.addEventListener("click", () => this.start(this.useMicrophone));
    ui.typeInstead.addEventListener("click", () => this.start(false));
    ui.end.addEventListener("click", () => this.send({ type: "end" }));
    ui.mute.addEventListener("click", () => this.setMuted(!this.muted));
    ui.stopSpeaking.addEventListener("click", () => this.stopSpeaking());
    ui.compose.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = ui.input.value.trim();
      if (!text || !this.ready) return;
      if (this.player && this.player.playing) this.stopSpeaking();
      this.send({ type: "text", text });
      ui.input.value = "";
    });
  }

  // The launcher makes way for the open panel (which has its own close button), and
  // comes back, focused, when the panel closes.
  openPanel(focus) {
    this.ui.panel.hidden = false;
    this.ui.launcher.setAttribute("aria-expanded", "true");
    this.ui.launcher.hidden = true;
    if (focus) (this.ready ? this.ui.input : this.ui.start).focus();
  }

  closePanel() {
    this.ui.panel.hidden = true;
    this.ui.launcher.setAttribute("aria-expanded", "false");
    this.ui.launcher.hidden = false;
    this.ui.launcher.focus();
  }

  setState(state, announcement) {
    this.state = state;
    this.host.dataset.state = state;
    this.ui.state.dataset.state = state;
    this.ui.stateText.textContent = STATE_LABELS[state];
    this.ui.live.textContent = announcement || STATE_LABELS[state];
    const inCall = ["connecting", "listening", "thinking", "speaking"].includes(state);
    this.ui.start.hidden = inCall;
    this.ui.start.textContent = state === "idle" ? "Start call" : "Call again";
    this.ui.end.hidden = !inCall;
    this.ui.mute.hidden = !inCall || !this.stream;
    this.ui.stopSpeaking.hidden = state !== "speaking";
    this.ui.input.disabled = this.ui.send.disabled = !this.ready || !inCall;
  }

  showError(message, { retry = true, typeInstead = false } = {}) {
    this.ui.alertText.textContent = message;
    this.ui.retry.hidden = !retry;
    this.ui.typeInstead.hidden = !typeInstead;
    this.ui.alert.hidden = false;
    this.setState("error", message);
    (retry ? this.ui.retry : this.ui.typeInstead).focus();
  }

  async start(useMicrophone) {
    this.cleanup();
    this.contact = emptyContact(); // a new call captures its caller's details afresh
    this.useMicrophone = useMicrophone;
    this.ui.alert.hidden = true;
    this.reconnected = false;
    this.setState("connecting");
    try {
      this.context = new AudioContext({ latencyHint: "interactive" });
      await this.context.resume();
      this.player = new Player(this.context);
      if (useMicrophone) await this.startMicrophone();
    } catch (error) {
      this.cleanup();
      const message = MIC_ERRORS[error && error.name];
      if (message) { this.showError(message, { retry: true, typeInstead: true }); return; }
      this.showError("Audio could not be started in this browser. You can type instead.", { typeInstead: true });
      return;
    }
    this.connect();
  }

  async startMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw Object.assign(new Error("no getUserMedia"), { name: "NotFoundError" });
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
    await this.context.audioWorklet.addModule(new URL("./capture-worklet.js", import.meta.url));
    this.capture = new AudioWorkletNode(this.context, "voiceagent-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
    this.capture.port.onmessage = (event) => this.sendAudio(event.data.pcm);
    this.context.createMediaStreamSource(this.stream).connect(this.capture);
  }

  // A site that starts calls from its own backend (docs/api.md) gives data-session-url:
  // a same-origin endpoint of its own that answers {"session_token": "..."} for the
  // signed-in user. Each token starts one call, so every connection asks for a new one.
  async sessionToken() {
    if (!this.options.sessionUrl) return "";
    const response = await fetch(this.options.sessionUrl, {
      method: "POST", credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`session endpoint answered ${response.status}`);
    const body = await response.json();
    if (!body || typeof body.session_token !== "string") throw new Error("no session_token");
    return body.session_token;
  }

  async connect() {
    let token = "";
    try {
      token = await this.sessionToken();
    } catch (error) {
      console.error("voiceagent widget: no session token", error);
      this.cleanup();
      this.showError("This assistant is not available right now.", { typeInstead: false });
      return;
    }
    const url = new URL(`/ws/calls/${encodeURIComponent(this.options.agent)}/`, this.options.server);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("client", "widget/1.0");
    if (this.options.language) url.searchParams.set("lang", this.options.language);
    if (token) url.searchParams.set("session_token", token);
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => { opened = true; };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.state === "ended" || this.state === "error") return;
      if (!opened) {
        this.cleanup();
        this.showError("This assistant is not available right now.", { typeInstead: false });
      } else if (!this.ready && !this.reconnected) {
        this.reconnected = true; // one automatic attempt for a socket dropped while connecting
        this.connect();
      } else {
        this.cleanup();
        this.showError("The connection was lost.", { retry: true });
      }
    };
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  sendAudio(pcm) {
    if (!this.ready || this.muted || !this.socket) return;
    this.stats.framesSent += 1;
    this.stats.bytesSent += pcm.length;
    this.send({ type: "audio", audio: bytesToBase64(pcm) });
  }

  receive(message) {
    switch (message.type) {
      case "ready":
        this.ready = true;
        this.callId = message.call_id;
        if (message.agent && message.agent.name) this.ui.shadow.getElementById("title").textContent = message.agent.name;
        this.setState("listening");
        this.reportTimer = setInterval(() => this.reportPlayback(), PLAYBACK_REPORT_MS);
        this.ui.input.focus({ preventScroll: true });
        break;
      case "audio":
        this.stats.audioReceived += 1;
        this.player.enqueue(message.item_id, message.audio);
        if (this.state !== "speaking") this.setState("speaking");
        break;
      case "listening":
        this.stats.listeningAt = performance.now();
        this.player.stop();
        this.watchSilence();
        this.setState("listening");
        break;
      case "processing":
        this.setState("thinking");
        break;
      case "transcript":
        this.caption(message);
        break;
      case "response_done":
        this.afterPlayback(() => { if (this.state === "speaking" || this.state === "thinking") this.setState("listening"); });
        break;
      case "user_info":
        this.contact = withUserInfo(this.contact, message.user_info || {});
        showContact(this.ui, contactView(this.contact));
        break;
      case "contact_saved":
        this.contact = withContactSaved(this.contact, message.contact || {});
        showContact(this.ui, contactView(this.contact));
        addLine(this.ui, "note", "Contact saved");
        break;
      case "appointment":
        showAppointment(this.ui, message.appointment, this.options.language);
        break;
      case "error":
        if (message.code === "upstream_unavailable") {
          this.upstreamFailed = true;
        } else if (message.code !== "bad_request" && message.code !== "bad_audio") {
          addLine(this.ui, "note", message.message);
        }
        break;
      case "ended":
        this.finish(message.reason);
        break;
      default:
        break; // newer server messages are ignored, as the contract allows
    }
  }

  caption(message) {
    const key = `${message.role}:${message.item_id}`;
    const text = message.final ? message.text : (this.partials.get(key) || "") + message.text;
    this.partials.set(key, text);
    if (!text) return;
    const item = addLine(this.ui, message.role, text, key);
    item.classList.toggle("partial", !message.final);
  }

  reportPlayback() {
    if (this.player && this.player.playing && this.player.currentItem) {
      this.send({ type: "playback", item_id: this.player.currentItem, played_ms: this.player.playedMs() });
    }
  }

  stopSpeaking() {
    if (!this.player) return;
    const { playedMs } = this.player.stop();
    this.send({ type: "cancel", played_ms: playedMs });
    this.setState("listening");
  }

  watchSilence() {
    const started = this.stats.listeningAt;
    const check = () => {
      if (!this.player) return;
      if (this.player.level() < 0.001) { this.stats.silencedAt = performance.now() - started; return; }
      if (performance.now() - started < 1000) setTimeout(check, 2);
    };
    check();
  }

  afterPlayback(callback) {
    const poll = () => {
      if (!this.player || !this.player.playing) callback();
      else setTimeout(poll, 100);
    };
    poll();
  }

  setMuted(muted) {
    this.muted = muted;
    if (this.capture) this.capture.port.postMessage({ muted });
    this.ui.mute.setAttribute("aria-pressed", String(muted));
    this.ui.mute.textContent = muted ? "Unmute" : "Mute";
    this.ui.live.textContent = muted ? "Microphone muted" : "Microphone on";
  }

  finish(reason) {
    const upstreamFailed = this.upstreamFailed || reason === "upstream_unavailable";
    this.cleanup();
    if (upstreamFailed) {
      this.showError(END_REASONS.upstream_unavailable, { retry: true });
      return;
    }
    const text = END_REASONS[reason] || "The call ended.";
    addLine(this.ui, "note", text);
    this.setState("ended", text);
    this.ui.start.focus();
  }

  cleanup() {
    clearInterval(this.reportTimer);
    this.ready = false;
    this.upstreamFailed = false;
    if (this.socket) { const socket = this.socket; this.socket = null; socket.close(); }
    if (this.stream) { for (const track of this.stream.getTracks()) track.stop(); this.stream = null; }
    if (this.capture) { this.capture.port.onmessage = null; this.capture.disconnect(); this.capture = null; }
    if (this.player) { this.player.stop(); }
    if (this.context) { this.context.close(); this.context = null; }
    this.player = null;
    this.setMutedSilently(false);
  }

  setMutedSilently(muted) {
    this.muted = muted;
    this.ui.mute.setAttribute("aria-pressed", String(muted));
    this.ui.mute.textContent = "Mute";
  }

  /** Read-only view for tests and site owners' debugging. */
  debug() {
    return {
      state: this.state,
      callId: this.callId || null,
      ready: this.ready,
      playing: Boolean(this.player && this.player.playing),
      outputLevel: this.player ? this.player.level() : 0,
      contextRate: this.context ? this.context.sampleRate : null,
      microphone: Boolean(this.stream),
      ...this.stats,
    };
  }
}

function sanitizeColor(value) {
  return value && CSS.supports("color", value) ? value : "#1a56db";
}

export function mount(script) {
  const agent = script.dataset.agent;
  if (!agent) {
    console.error("voiceagent widget: the script tag needs data-agent=\"PUBLIC_ID\"");
    return null;
  }
  const host = document.createElement("div");
  host.setAttribute("data-voiceagent", agent);
  document.body.append(host);
  const widget = new VoiceWidget(host, {
    agent,
    server: script.dataset.server || new URL(script.src, location.href).origin,
    position: script.dataset.position === "bottom-left" ? "left" : "right",
    color: sanitizeColor(script.dataset.color),
    language: script.dataset.lang || navigator.language || "",
    open: script.dataset.open === "true",
    label: script.dataset.label || "Talk to us",
    title: script.dataset.title || "Voice assistant",
    sessionUrl: script.dataset.sessionUrl || "",
  });
  window.VoiceAgent = window.VoiceAgent || { widgets: [] };
  window.VoiceAgent.widgets.push(widget);
  return widget;
}
