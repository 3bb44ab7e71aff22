// Minimal demo client for docs/protocol.md: typed text, microphone, playback, captions.
// The full widget (resampling, jitter buffer, cards) is its own piece of work.
const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
let socket = null, audio = null, playhead = 0, sources = [], mic = null, micOn = false;
const partial = new Map();

function setState(text) { $("state").textContent = text; }
function line(role, text, itemId) {
  let el = itemId ? document.querySelector(`[data-item="${CSS.escape(itemId)}"]`) : null;
  if (!el) {
    el = document.createElement("p");
    el.className = role;
    if (itemId) el.dataset.item = itemId;
    $("log").appendChild(el);
  }
  el.textContent = (role === "user" ? "You: " : role === "assistant" ? "Agent: " : "") + text;
  $("log").scrollTop = $("log").scrollHeight;
}
function stopPlayback() {
  for (const source of sources) { try { source.stop(); } catch (e) { /* already ended */ } }
  sources = []; playhead = 0;
}
function play(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const pcm = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
  const buffer = audio.createBuffer(1, pcm.length, 24000);
  const channel = buffer.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 32768;
  const source = audio.createBufferSource();
  source.buffer = buffer; source.connect(audio.destination);
  playhead = Math.max(playhead, audio.currentTime + 0.05);
  source.start(playhead); playhead += buffer.duration;
  sources.push(source);
  source.onended = () => { sources = sources.filter((s) => s !== source); };
}
function send(message) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(message)); }

async function startMic() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  const worklet = `class C extends AudioWorkletProcessor { constructor(){super(); this.buf=[];}
    process(inputs){ const ch = inputs[0][0]; if (ch) { for (const s of ch) this.buf.push(s);
      if (this.buf.length >= 1200) { this.port.postMessage(this.buf.splice(0, 1200)); } } return true; } }
    registerProcessor("capture", C);`;
  await audio.audioWorklet.addModule(URL.createObjectURL(new Blob([worklet], { type: "text/javascript" })));
  const node = new AudioWorkletNode(audio, "capture");
  node.port.onmessage = (event) => {
    if (!micOn) return;
    const pcm = new Int16Array(event.data.length);
    event.data.forEach((s, i) => { pcm[i] = Math.max(-1, Math.min(1, s)) * 32767; });
    let binary = ""; new Uint8Array(pcm.buffer).forEach((b) => { binary += String.fromCharCode(b); });
    send({ type: "audio", audio: btoa(binary) });
  };
  audio.createMediaStreamSource(stream).connect(node);
  mic = stream;
}

$("start").onclick = () => {
  // The AudioContext runs at 24 kHz, so the browser resamples the microphone for us.
  audio = new AudioContext({ sampleRate: 24000 });
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/calls/${encodeURIComponent(config.agent)}/`);
  setState("connecting");
  $("start").disabled = true;
  socket.onmessage = (event) => {
    const m = JSON.parse(event.data);
    switch (m.type) {
      case "ready": setState("listening"); for (const id of ["mic", "hangup", "text"]) $(id).disabled = false;
        $("say").querySelector("button").disabled = false; break;
      case "audio": setState("speaking"); play(m.audio); break;
      case "listening": stopPlayback(); setState("listening"); break;
      case "processing": setState("thinking"); break;
      case "transcript": {
        const key = `${m.role}:${m.item_id}`;
        const text = m.final ? m.text : (partial.get(key) || "") + m.text;
        partial.set(key, text); line(m.role, text, key); break;
      }
      case "user_info": line("system", `Captured: ${Object.entries(m.user_info).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ")}`); break;
      case "response_done": setState("listening"); break;
      case "error": line("system", `Error: ${m.message}`); break;
      case "ended": line("system", `Call ended (${m.reason.replaceAll("_", " ")}).`); break;
    }
  };
  socket.onclose = () => {
    setState("ended"); stopPlayback();
    if (mic) mic.getTracks().forEach((t) => t.stop());
    for (const id of ["mic", "hangup", "text"]) $(id).disabled = true;
    $("start").disabled = false;
  };
};
$("mic").onclick = async () => {
  if (!mic) { try { await startMic(); } catch (e) { line("system", "Microphone unavailable: " + e.message); return; } }
  micOn = !micOn;
  $("mic").setAttribute("aria-pressed", String(micOn));
  $("mic").textContent = micOn ? "Microphone off" : "Microphone on";
};
$("hangup").onclick = () => send({ type: "end" });
$("say").onsubmit = (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (text) { stopPlayback(); send({ type: "text", text }); $("text").value = ""; }
};
