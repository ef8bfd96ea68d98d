/**
 * A flashcard session: the front, then (space or the button) the back, then a rating
 * with the four FSRS buttons (keys 1 to 4), each showing the interval the API says it
 * would give (`DueCard.intervals`). After each rating the interval given is shown. With the network off, ratings are
 * queued with their time and synced later (see offline.ts).
 */
import { api, must, session, uuid } from "../api";
import type { Schemas } from "../api";
import { h, interval } from "../dom";
import { cacheBundle, enqueue, loadQueue, idbGet, idbSet, offlineBundle } from "../offline";
import { markdown } from "../render";
import { ctx } from "./context";

type Rating = Schemas["Rating"];
interface Card {
  flashcard: Schemas["Flashcard"];
  topic: Schemas["SlugRef"];
  state: Schemas["CardState"] | "offline";
  /** What each rating would give now; unknown for cards met offline. */
  intervals?: Schemas["RatingIntervals"];
}

const RATINGS: [Rating, string][] = [
  ["again", "Again"],
  ["hard", "Hard"],
  ["good", "Good"],
  ["easy", "Easy"],
];

async function onlineCards(track: string): Promise<Card[]> {
  const due = await must(api.GET("/api/v1/me/reviews/due", { params: { query: { track, limit: 100 } } }));
  const cards: Card[] = due.items.map((d) => ({ flashcard: d.flashcard, topic: d.topic, state: d.state, intervals: d.intervals }));
  await idbSet(`due:${track}`, cards);
  // Content for studying offline later; the ETag makes the repeat cheap.
  void cacheBundle(track).catch(() => undefined);
  return cards;
}

/** Offline: the last due list, then the bundle's cards, minus what is queued already. */
async function offlineCards(track: string): Promise<Card[]> {
  const queued = new Set((await loadQueue()).flatMap((e) => (e.type === "review" ? [e.flashcard_id] : [])));
  const due = ((await idbGet<Card[]>(`due:${track}`)) ?? []).filter((c) => !queued.has(c.flashcard.id));
  const bundle = await offlineBundle(track);
  const seen = new Set(due.map((c) => c.flashcard.id));
  const fromBundle: Card[] = (bundle?.topics ?? []).flatMap((t) =>
    t.flashcards.filter((f) => !queued.has(f.id) && !seen.has(f.id)).map((f) => ({ flashcard: f, topic: { slug: t.topic.slug, title: t.topic.title }, state: "offline" as const })),
  );
  // Beyond the last due list, new cards from the bundle up to the daily new-card cap.
  const cap = Math.max(0, (session.account?.new_cards_per_day ?? 20) - due.length);
  return [...due, ...fromBundle.slice(0, cap)];
}

export async function reviewScreen(main: HTMLElement): Promise<void> {
  const track = await ctx.track();
  let cards: Card[] = [];
  let offline = !navigator.onLine;
  if (!offline) {
    try {
      cards = await onlineCards(track);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      offline = true;
    }
  }
  if (offline) cards = await offlineCards(track);

  let index = 0;
  let revealed = false;
  let reviewed = 0;
  const heading = h("h1", {}, "Flashcards");
  const mode = h("p", { id: "review-mode", class: "hint" });
  const counter = h("p", { id: "review-counter" });
  const front = h("div", { class: "front" });
  const back = h("div", { class: "back", hidden: true });
  const reveal = h("button", { type: "button", id: "reveal" }, "Show answer ", h("kbd", {}, "Space"));
  const rateIntervals = RATINGS.map(() => h("span", { class: "rate-interval" }));
  const rateButtons = RATINGS.map(([rating, label], i) =>
    h("button", { type: "button", class: `rate ${rating}`, "data-rating": rating, "aria-keyshortcuts": String(i + 1) }, h("kbd", {}, String(i + 1)), ` ${label} `, rateIntervals[i] ?? ""),
  );
  const rate = h("div", { class: "rate-row", role: "group", "aria-label": "How well did you recall it?", hidden: true }, ...rateButtons);
  const outcome = h("p", { id: "review-outcome", role: "status", "aria-live": "polite" });
  const card = h("section", { class: "card flashcard", id: "review-card", "aria-live": "polite" }, h("p", { class: "topic-name" }), front, back);
  main.append(heading, mode, counter, card, reveal, rate, outcome, h("p", { class: "hint" }, "Keys: Space shows the answer, 1 to 4 rate it."));

  const drawMode = () => {
    mode.textContent = offline ? "Offline: your ratings are kept on this device and synced when you are back online." : "";
    mode.className = offline ? "hint offline" : "hint";
  };

  const show = () => {
    drawMode();
    revealed = false;
    const current = cards[index];
    counter.textContent = `${reviewed} reviewed · ${Math.max(0, cards.length - index)} to go`;
    counter.dataset["reviewed"] = String(reviewed);
    if (current === undefined) {
      card.hidden = true;
      reveal.hidden = true;
      rate.hidden = true;
      card.removeAttribute("data-card-id");
      main.dataset["reviewDone"] = "true";
      outcome.append(h("span", { class: "done" }, " Nothing more is due now. "), h("a", { href: "#/today" }, "Back to today"));
      return;
    }
    card.hidden = false;
    card.dataset["cardId"] = current.flashcard.id;
    (card.querySelector(".topic-name") as HTMLElement).textContent = `${current.topic.title}${current.state === "new" ? " · new card" : ""}`;
    front.replaceChildren(markdown(current.flashcard.front, 2));
    back.replaceChildren(markdown(current.flashcard.back, 2));
    back.hidden = true;
    reveal.hidden = false;
    rate.hidden = true;
    for (const [j, [r]] of RATINGS.entries()) {
      const span = rateIntervals[j];
      if (span !== undefined) span.textContent = current.intervals === undefined ? "" : interval(current.intervals[r]);
    }
    reveal.focus();
  };

  const doReveal = () => {
    if (revealed || cards[index] === undefined) return;
    revealed = true;
    back.hidden = false;
    reveal.hidden = true;
    rate.hidden = false;
    rateButtons[2]?.focus();
  };

  let busy = false;
  const doRate = async (rating: Rating) => {
    const current = cards[index];
    if (!revealed || busy || current === undefined) return;
    busy = true;
    const event = { flashcard_id: current.flashcard.id, rating, review_id: uuid(), reviewed_at: new Date().toISOString() };
    try {
      if (!offline && navigator.onLine) {
        try {
          const result = await must(api.POST("/api/v1/me/reviews", { body: event }));
          const i = result.intervals;
          outcome.replaceChildren(
            `${RATINGS.find(([r]) => r === rating)?.[1] ?? rating}: next review in ${interval(result.interval_days)}. `,
            h("span", { class: "intervals" }, `Again ${interval(i.again)} · Hard ${interval(i.hard)} · Good ${interval(i.good)} · Easy ${interval(i.easy)}`),
          );
          for (const [j, [r]] of RATINGS.entries()) rateButtons[j]?.setAttribute("title", `${r}: ${interval(i[r])}`);
          // The stored due list (for going offline later) loses what was just reviewed.
          const stored = (await idbGet<Card[]>(`due:${track}`)) ?? [];
          await idbSet(`due:${track}`, stored.filter((c) => c.flashcard.id !== current.flashcard.id));
        } catch (err) {
          if (!(err instanceof TypeError)) throw err;
          offline = true;
        }
      } else {
        offline = true;
      }
      if (offline) {
        await enqueue({ type: "review", ...event });
        outcome.textContent = `${RATINGS.find(([r]) => r === rating)?.[1] ?? rating}: saved on this device, to sync when you are online.`;
      }
      reviewed += 1;
      index += 1;
      show();
    } catch (err) {
      ctx.fail(err);
    } finally {
      busy = false;
    }
  };

  reveal.addEventListener("click", doReveal);
  for (const button of rateButtons) button.addEventListener("click", () => void doRate(button.dataset["rating"] as Rating));

  const onKey = (e: KeyboardEvent) => {
    if (!main.contains(card)) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    const target = e.target as HTMLElement | null;
    if (target !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === " " && !revealed) {
      e.preventDefault();
      doReveal();
    } else if (/^[1-4]$/.test(e.key) && revealed) {
      e.preventDefault();
      const rating = RATINGS[Number(e.key) - 1]?.[0];
      if (rating !== undefined) void doRate(rating);
    }
  };
  document.addEventListener("keydown", onKey);
  window.addEventListener("online", () => {
    offline = false;
    drawMode();
  });
  window.addEventListener("offline", () => {
    offline = true;
    drawMode();
  });
  show();
}
