// A short two-note chime made with WebAudio, so no audio file ships with the app.

let context: AudioContext | null = null;

/**
 * Creates (or resumes) the audio context. Browsers only let audio start after a user gesture,
 * so the bell's click calls this before any chime is due.
 */
export function unlockChime(): void {
  if (typeof AudioContext === "undefined") return;
  try {
    context ??= new AudioContext();
  } catch (cause) {
    // No audio output (a policy, a headless machine): the chime stays silent, nothing else fails.
    console.warn("board chime: no audio context", cause);
    return;
  }
  if (context.state === "suspended") {
    context.resume().catch((cause: unknown) => {
      console.warn("board chime: audio stays suspended", cause);
    });
  }
}

/** Plays the chime: two soft sine notes, a fifth apart, about a third of a second in all. */
export function playChime(): void {
  unlockChime();
  const audio = context;
  if (audio === null) return;
  const start = audio.currentTime;
  [880, 1318.5].forEach((frequency, index) => {
    const at = start + index * 0.14;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.22);
  });
}
