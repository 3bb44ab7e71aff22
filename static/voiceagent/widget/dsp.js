// Audio signal helpers shared by the capture worklet, the player and the tests.
// Plain ES module: no DOM, no Web Audio, so node's test runner can import it.

const TWO_PI = 2 * Math.PI;

/**
 * Streaming sample-rate converter: windowed-sinc (Blackman) interpolation whose
 * cutoff sits below the lower Nyquist frequency, so downsampling is band-limited
 * (no aliasing) instead of dropping samples.
 */
export class Resampler {
  constructor(fromRate, toRate, { halfTaps = 16 } = {}) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError("sample rates must be positive");
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.passthrough = fromRate === toRate;
    this.step = fromRate / toRate; // input samples per output sample
    // Cutoff as a fraction of the input Nyquist frequency, with a transition band.
    this.cutoff = Math.min(1, toRate / fromRate) * 0.9;
    this.half = Math.ceil(halfTaps / this.cutoff); // kernel half-width in input samples
    this.buffer = new Float32Array(this.half); // zero history before the first sample
    this.position = this.half; // buffer index of the next output sample
  }

  kernel(distance) {
    if (Math.abs(distance) >= this.half) return 0;
    const x = distance * this.cutoff;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const phase = (Math.PI * distance) / this.half;
    const window = 0.42 + 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
    return sinc * window;
  }

  /** Converts the next block of samples; keeps state so blocks join seamlessly. */
  process(input) {
    if (this.passthrough) return Float32Array.from(input);
    const buffer = new Float32Array(this.buffer.length + input.length);
    buffer.set(this.buffer);
    buffer.set(input, this.buffer.length);
    const output = [];
    while (this.position + this.half < buffer.length) {
      const center = Math.floor(this.position);
      const fraction = this.position - center;
      let sum = 0;
      let weight = 0;
      for (let k = -this.half + 1; k <= this.half; k++) {
        const w = this.kernel(k - fraction);
        sum += buffer[center + k] * w;
        weight += w;
      }
      output.push(sum / weight); // unit gain at DC
      this.position += this.step;
    }
    const consumed = Math.floor(this.position) - this.half;
    if (consumed > 0) {
      this.buffer = buffer.slice(consumed);
      this.position -= consumed;
    } else {
      this.buffer = buffer;
    }
    return Float32Array.from(output);
  }
}

/** Float samples in [-1, 1] to 16-bit signed little-endian PCM bytes (clamped). */
export function floatToPcm16(samples) {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(i * 2, s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true);
  }
  return bytes;
}

/** 16-bit signed little-endian PCM bytes to float samples. */
export function pcm16ToFloat(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.byteLength >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 0x8000;
  return samples;
}

export function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Collects samples and hands out fixed-size frames (e.g. 1 200 samples = 50 ms at 24 kHz). */
export class Framer {
  constructor(frameSize) {
    this.frameSize = frameSize;
    this.pending = new Float32Array(0);
  }

  push(samples) {
    const joined = new Float32Array(this.pending.length + samples.length);
    joined.set(this.pending);
    joined.set(samples, this.pending.length);
    const frames = [];
    let offset = 0;
    while (joined.length - offset >= this.frameSize) {
      frames.push(joined.slice(offset, offset + this.frameSize));
      offset += this.frameSize;
    }
    this.pending = joined.slice(offset);
    return frames;
  }
}

/** Root-mean-square level of samples (0 = silence, 0.707 = full-scale sine). */
export function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

export function sine(frequency, rate, count, amplitude = 1) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = amplitude * Math.sin((TWO_PI * frequency * i) / rate);
  return out;
}
