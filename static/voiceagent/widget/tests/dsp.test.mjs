// Run with: node --test static/voiceagent/widget/tests/
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Framer, Resampler, base64ToBytes, bytesToBase64, floatToPcm16, pcm16ToFloat, rms, sine,
} from "../dsp.js";

function resampleInBlocks(resampler, signal, block = 128) {
  const parts = [];
  for (let i = 0; i < signal.length; i += block) parts.push(resampler.process(signal.subarray(i, i + block)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}

// Amplitude of one frequency, by correlation (a one-bin DFT).
function amplitudeAt(samples, frequency, rate) {
  let re = 0, im = 0;
  for (let i = 0; i < samples.length; i++) {
    re += samples[i] * Math.cos((2 * Math.PI * frequency * i) / rate);
    im += samples[i] * Math.sin((2 * Math.PI * frequency * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

test("48 kHz to 24 kHz keeps a 1 kHz tone at full level", () => {
  const out = resampleInBlocks(new Resampler(48000, 24000), sine(1000, 48000, 48000, 0.5));
  assert.ok(Math.abs(out.length - 24000) <= 40, `got ${out.length} samples`);
  const steady = out.subarray(1000, 23000);
  assert.ok(Math.abs(amplitudeAt(steady, 1000, 24000) - 0.5) < 0.01);
});

test("downsampling removes what would alias (no sample dropping)", () => {
  // 15 kHz is above the 12 kHz Nyquist of 24 kHz; dropping samples would fold it to 9 kHz.
  const out = resampleInBlocks(new Resampler(48000, 24000), sine(15000, 48000, 48000, 0.5));
  const steady = out.subarray(1000, 23000);
  const aliased = amplitudeAt(steady, 9000, 24000);
  assert.ok(20 * Math.log10(aliased / 0.5) < -40, `alias at ${aliased}`);
  assert.ok(rms(steady) < 0.005);
});

test("44.1 kHz to 24 kHz has the right length and keeps speech-band tones", () => {
  const out = resampleInBlocks(new Resampler(44100, 24000), sine(440, 44100, 44100, 0.8));
  assert.ok(Math.abs(out.length - 24000) <= 40);
  assert.ok(Math.abs(amplitudeAt(out.subarray(1000, 23000), 440, 24000) - 0.8) < 0.02);
});

test("streaming in blocks equals converting at once", () => {
  const signal = sine(700, 48000, 9600, 0.3);
  const once = new Resampler(48000, 24000).process(signal);
  const blocks = resampleInBlocks(new Resampler(48000, 24000), signal, 128);
  assert.equal(blocks.length, once.length);
  for (let i = 0; i < once.length; i++) assert.ok(Math.abs(blocks[i] - once[i]) < 1e-6);
});

test("equal rates pass through unchanged", () => {
  const signal = sine(300, 24000, 500);
  assert.deepEqual(new Resampler(24000, 24000).process(signal), signal);
});

test("PCM16 encoding is little-endian, clamped and reversible", () => {
  const bytes = floatToPcm16(Float32Array.from([0, 1, -1, 0.5, 2, -2]));
  assert.deepEqual([...bytes.subarray(0, 6)], [0x00, 0x00, 0xff, 0x7f, 0x00, 0x80]);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getInt16(8, true), 32767); // 2 clamps to full scale
  assert.equal(view.getInt16(10, true), -32768);
  const back = pcm16ToFloat(floatToPcm16(Float32Array.from([0.25, -0.25])));
  assert.ok(Math.abs(back[0] - 0.25) < 1e-4 && Math.abs(back[1] + 0.25) < 1e-4);
});

test("base64 round trip matches the contract's 50 ms frame size", () => {
  const frame = floatToPcm16(sine(440, 24000, 1200, 0.5));
  const text = bytesToBase64(frame);
  assert.equal(frame.length, 2400);
  assert.equal(text.length, 3200);
  assert.deepEqual(base64ToBytes(text), frame);
});

test("framer hands out exact 50 ms frames and keeps the rest", () => {
  const framer = new Framer(1200);
  assert.equal(framer.push(new Float32Array(1000)).length, 0);
  const frames = framer.push(new Float32Array(1500));
  assert.equal(frames.length, 2);
  assert.ok(frames.every((f) => f.length === 1200));
  assert.equal(framer.pending.length, 100);
});
