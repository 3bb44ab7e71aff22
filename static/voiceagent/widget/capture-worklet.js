// AudioWorklet: microphone frames at the device rate → 24 kHz → 50 ms PCM16 chunks.
import { Framer, Resampler, floatToPcm16, rms } from "./dsp.js";

const TARGET_RATE = 24000;
const FRAME_SAMPLES = 1200; // 50 ms

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    // `sampleRate` is the AudioContext's rate, a global inside the worklet scope.
    this.resampler = new Resampler(sampleRate, TARGET_RATE);
    this.framer = new Framer(FRAME_SAMPLES);
    this.muted = false;
    this.port.onmessage = (event) => {
      if (event.data && typeof event.data.muted === "boolean") this.muted = event.data.muted;
    };
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    const converted = this.resampler.process(channel);
    for (const frame of this.framer.push(converted)) {
      if (this.muted) continue;
      const pcm = floatToPcm16(frame);
      this.port.postMessage({ pcm, level: rms(frame) }, [pcm.buffer]);
    }
    return true;
  }
}

registerProcessor("voiceagent-capture", CaptureProcessor);
