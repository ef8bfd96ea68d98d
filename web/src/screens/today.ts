/** Today's agenda, the study goal, and the readiness forecast for the interview date. */
import { api, must } from "../api";
import type { Schemas } from "../api";
import { bar, field, h, pct } from "../dom";
import { inline } from "../render";
import { ctx } from "./context";

const LINKS: Record<Schemas["AgendaKind"], string> = {
  flashcard_reviews: "#/review",
  new_flashcards: "#/review",
  question_reviews: "#/interview",
  new_questions: "#/roadmap",
  quiz: "#/quiz",
  mock_interview: "#/interview",
};

const DAYS: Schemas["Weekday"][] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

export async function todayScreen(main: HTMLElement): Promise<void> {
  const track = await ctx.track();
  const [today, summary, goals] = await Promise.all([
    must(api.GET("/api/v1/me/today", { params: { query: { track } } })),
    must(api.GET("/api/v1/me/summary")),
    must(api.GET("/api/v1/me/goals")),
  ]);
  main.append(
    h("h1", {}, "Today"),
    h(
      "p",
      { class: "lead", id: "summary" },
      `${summary.local_date} · streak ${summary.streak.current} day${summary.streak.current === 1 ? "" : "s"}${summary.streak.at_risk ? " (study today to keep it)" : ""} · ${summary.cards_due_now} cards due now`,
    ),
  );
  const agenda = h("ol", { id: "agenda", class: "agenda" });
  for (const item of today.items) {
    agenda.append(
      h(
        "li",
        { class: "card", "data-kind": item.kind },
        h("a", { href: item.topic !== null && item.kind === "new_questions" ? `#/topic/${item.topic.slug}` : LINKS[item.kind] }, `${item.reason}`),
        h("small", {}, ` ${item.count} · about ${item.minutes} min`),
        item.questions.length > 0 ? h("ul", {}, ...item.questions.slice(0, 5).map((q) => h("li", {}, h("a", { href: `#/question/${q.id}` }, inline(q.title))))) : null,
      ),
    );
  }
  main.append(
    h(
      "section",
      {},
      h("h2", {}, `Agenda: ${today.planned_minutes} of ${today.budget_minutes} minutes${today.study_day ? "" : " (rest day)"}`),
      today.items.length === 0 ? h("p", {}, "Nothing planned: you are done for today.") : agenda,
      today.left_over.flashcards_due + today.left_over.questions_due > 0 ? h("p", { class: "hint" }, `Did not fit: ${today.left_over.flashcards_due} cards and ${today.left_over.questions_due} questions.`) : null,
    ),
  );

  const goal = goals.items.find((g) => g.track.slug === track);
  const date = h("input", { type: "date", id: "goal-date", required: true, value: goal?.interview_date ?? "" });
  const minutes = h("input", { type: "number", id: "goal-minutes", min: 5, max: 480, value: goal?.minutes_per_day ?? 30 });
  const days = h(
    "fieldset",
    { class: "days" },
    h("legend", {}, "Study days"),
    ...DAYS.map((d) => h("label", { class: "option" }, h("input", { type: "checkbox", name: "day", value: d, checked: goal === undefined ? d !== "sunday" : goal.days.includes(d) }), ` ${d.slice(0, 3)}`)),
  );
  const form = h(
    "form",
    { class: "card", id: "goal-form" },
    h("h2", {}, "Your goal"),
    goal === undefined ? h("p", {}, "Set the date of your interview to get a readiness forecast.") : h("p", {}, `${goal.days_left} days left (${goal.study_days_left} study days).`),
    field("Interview date", date),
    field("Minutes per day", minutes),
    days,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save goal")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const chosen = [...form.querySelectorAll<HTMLInputElement>("input[name=day]:checked")].map((i) => i.value as Schemas["Weekday"]);
        await must(api.PUT("/api/v1/me/goals", { body: { track, interview_date: date.value, minutes_per_day: Number(minutes.value), days: chosen } }));
        ctx.say("Goal saved.");
        main.replaceChildren();
        await todayScreen(main);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(form);
  if (goal !== undefined) main.append(forecastView(await must(api.GET("/api/v1/me/forecast", { params: { query: { track } } }))));
}

function forecastView(f: Schemas["Forecast"]): HTMLElement {
  const status = { on_track: "On track", behind: "Behind", impossible: "Out of reach at this pace" }[f.status];
  return h(
    "section",
    { class: "card", id: "forecast", "data-status": f.status },
    h("h2", {}, `Forecast for ${f.interview_date}: ${status}`),
    h("p", {}, `Likely recall on the day: ${pct(f.readiness)} (target ${pct(f.target)}); the plan covers ${f.covered_questions} of ${f.questions} questions in ${f.planned_minutes} minutes.`),
    bar(f.readiness, `Readiness ${pct(f.readiness)}`),
    h("ul", { class: "forecast-stages" }, ...f.stages.map((s) => h("li", {}, `${s.title}: ${pct(s.readiness)}`, bar(s.readiness, `${s.title} readiness ${pct(s.readiness)}`)))),
    f.suggestions.length === 0
      ? null
      : h(
          "ul",
          { class: "suggestions" },
          ...f.suggestions.map((s) =>
            h(
              "li",
              {},
              s.kind === "more_minutes"
                ? `Study ${s.minutes_per_day} minutes a day: ${pct(s.readiness)}`
                : s.kind === "drop_elective"
                  ? `Drop the elective ${s.elective}: ${pct(s.readiness)}`
                  : `Move the interview to ${s.interview_date}: ${pct(s.readiness)}`,
            ),
          ),
        ),
  );
}
