/** Soft spots (where claims and evidence disagree, or work is overdue) and what to do next. */
import { api, must } from "../api";
import { h, pct } from "../dom";
import { inline } from "../render";
import { ctx } from "./context";

export async function focusScreen(main: HTMLElement): Promise<void> {
  const track = await ctx.track();
  const [next, spots] = await Promise.all([
    must(api.GET("/api/v1/me/tracks/{track}/next", { params: { path: { track } } })),
    must(api.GET("/api/v1/me/tracks/{track}/soft-spots", { params: { path: { track } } })),
  ]);
  main.append(h("h1", {}, "Soft spots and next up"));
  const nextUp = h("section", { class: "card", id: "next-up", "data-reason": next.reason_code }, h("h2", {}, "Next up"), h("p", {}, next.reason));
  if (next.topic !== null) {
    nextUp.append(h("p", {}, h("a", { class: "button", href: `#/topic/${next.topic.slug}` }, `Study ${next.topic.title}`), ` ${next.topic.progress.percent}% filled`));
  }
  if (next.questions.length > 0) {
    nextUp.append(h("ul", {}, ...next.questions.map((q) => h("li", {}, h("a", { href: `#/question/${q.id}` }, inline(q.title))))));
  }
  if (next.probes.length > 0) {
    nextUp.append(
      h("h3", {}, "Prove what you claimed"),
      h(
        "ul",
        { id: "probes" },
        ...next.probes.map((p) =>
          h("li", {}, h("a", { href: `#/question/${p.question.id}` }, inline(p.question.title)), ` (${p.reason.replace(/\.$/, "")}: `, h("a", { href: p.how === "quiz_item" ? "#/quiz" : "#/interview" }, p.how === "quiz_item" ? "take a quiz" : "answer it cold"), ")"),
        ),
      ),
    );
  }
  main.append(nextUp);
  const list = h("ol", { id: "soft-spots", class: "spots" });
  for (const spot of spots.items) {
    const v = spot.progress.verification;
    list.append(
      h(
        "li",
        { class: "card", "data-topic": spot.topic.slug, "data-score": spot.score },
        h("h3", {}, h("a", { href: `#/topic/${spot.topic.slug}` }, spot.topic.title), spot.stage === null ? "" : ` · ${spot.stage.title}`),
        h("ul", {}, ...spot.reasons.map((r) => h("li", { "data-code": r.code }, r.message))),
        h("p", { class: "hint" }, `Claimed ${pct(v.claimed_share)} · verified ${pct(v.verified_share)} · ${spot.progress.flashcards_due} cards due`),
      ),
    );
  }
  main.append(h("section", {}, h("h2", {}, `Soft spots (${spots.items.length})`), spots.items.length === 0 ? h("p", { id: "no-soft-spots" }, "No soft spots: keep going.") : list));
}
