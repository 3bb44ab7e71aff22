// Gapless playback of 24 kHz PCM16 chunks with a small jitter buffer, instant stop,
// and progress per assistant item for `playback` / `cancel` reports.
import { base64ToBytes, pcm16ToFloat } from "./dsp.js";

const SOURCE_RATE = 24000;
const JITTER_SECONDS = 0.1;

export class Player {
  constructor(context) {
    this.context = context;
    this.output = context.createGain();
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 512;
    this.output.connect(this.analyser);
    this.analyser.connect(context.destination);
    this.reset();
  }

  reset() {
    this.bus = this.context.createGain(); // one bus per burst: stopping drops it whole
    this.bus.connect(this.output);
    this.sources = new Set();
    this.playhead = 0;
    this.items = new Map(); // item_id -> {start, seconds}
    this.currentItem = null;
  }

  /** Schedules one chunk right after the previous one (gapless); the first waits ~100 ms. */
  enqueue(itemId, base64) {
    const samples = pcm16ToFloat(base64ToBytes(base64));
    if (!samples.length) return;
    // Web Audio resamples a 24 kHz buffer to the device rate when it plays it.
    const buffer = this.context.createBuffer(1, samples.length, SOURCE_RATE);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.bus);
    const now = this.context.currentTime;
    if (this.playhead < now) this.playhead = now + JITTER_SECONDS; // start or underrun
    source.start(this.playhead);
    let item = this.items.get(itemId);
    if (!item) {
      item = { start: this.playhead, seconds: 0 };
      this.items.set(itemId, item);
    }
    item.seconds += buffer.duration;
    this.currentItem = itemId;
    this.playhead += buffer.duration;
    this.sources.add(source);
    source.onended = () => this.sources.delete(source);
  }

  /** Milliseconds of an item the listener has heard so far. */
  playedMs(itemId = this.currentItem) {
    const item = itemId && this.items.get(itemId);
    if (!item) return 0;
    const heard = Math.min(Math.max(this.context.currentTime - item.start, 0), item.seconds);
    return Math.round(heard * 1000);
  }

  get playing() {
    return this.playhead > this.context.currentTime && this.sources.size > 0;
  }

  /** Silences everything at once (within one render quantum) and drops the queue. */
  stop() {
    const played = this.playedMs();
    const item = this.currentItem;
    this.bus.gain.setValueAtTime(0, this.context.currentTime);
    for (const source of this.sources) {
      try { source.stop(); } catch { /* not started yet */ }
    }
    this.bus.disconnect();
    this.reset();
    return { itemId: item, playedMs: played };
  }

  /** Output loudness right now (for tests and a level meter). */
  level() {
    const data = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    return Math.sqrt(sum / data.length);
  }
}
