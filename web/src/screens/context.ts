/** What every screen shares: the status line and the track being studied. */
import { api, must, problemText } from "../api";
import type { Schemas } from "../api";

export type Screen = (main: HTMLElement, params: string[]) => Promise<void>;

const TRACK_KEY = "studytrack.app.track";

/** Whether the status line should survive the next screen change (said just before navigating). */
let carry = false;

export const ctx = {
  /** A message for the learner in the live region. */
  say(message: string, carryOver = false): void {
    const status = document.getElementById("status");
    if (status === null) return;
    carry = carryOver;
    status.className = "status";
    status.textContent = message;
  },
  /** A failure as a human sentence (problem+json title and detail). */
  fail(err: unknown, carryOver = false): void {
    const status = document.getElementById("status");
    if (status === null) return;
    carry = carryOver;
    status.className = "status error";
    status.textContent = problemText(err);
  },
  /** Clears the status line on a new screen, unless it was written for that screen. */
  clearStaleStatus(): void {
    const status = document.getElementById("status");
    if (carry) {
      carry = false;
      return;
    }
    if (status !== null) {
      status.textContent = "";
      status.className = "status";
    }
  },
  /** The slug of the track in use: the learner's choice, else the first track. */
  async track(): Promise<string> {
    const chosen = localStorage.getItem(TRACK_KEY);
    if (chosen !== null) return chosen;
    const tracks = await ctx.tracks();
    const first = tracks[0]?.slug;
    if (first === undefined) throw new Error("The server has no tracks yet.");
    localStorage.setItem(TRACK_KEY, first); // known offline too
    return first;
  },
  setTrack(slug: string): void {
    localStorage.setItem(TRACK_KEY, slug);
  },
  async tracks(): Promise<Schemas["TrackSummary"][]> {
    return (await must(api.GET("/api/v1/tracks"))).items;
  },
};
