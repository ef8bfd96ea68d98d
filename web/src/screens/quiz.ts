/** Quizzes: practice (untimed) or a timed exam; graded by the server, with explanations. */
import { api, must } from "../api";
import type { Schemas } from "../api";
import { field, h, pct } from "../dom";
import { codeBlock, inline, markdown } from "../render";
import { ctx } from "./context";

type Attempt = Schemas["QuizAttempt"];

function hashQuery(): URLSearchParams {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

export async function quizScreen(main: HTMLElement, [id]: string[]): Promise<void> {
  if (id !== undefined && id !== "") {
    const attempt = await must(api.GET("/api/v1/me/quizzes/{id}", { params: { path: { id } } }));
    if (attempt.result !== null) showResult(main, attempt.result);
    else takeQuiz(main, attempt);
    return;
  }
  const track = await ctx.track();
  const topic = hashQuery().get("topic");
  const mode = h("select", { id: "quiz-mode", name: "mode" }, h("option", { value: "practice" }, "Practice (untimed, explanations after)"), h("option", { value: "exam" }, "Exam (timed)"));
  const size = h("input", { id: "quiz-size", type: "number", min: 1, max: 50, value: 5, name: "size" });
  const minutes = h("input", { id: "quiz-minutes", type: "number", min: 1, max: 180, value: 5, name: "minutes" });
  const form = h(
    "form",
    { class: "card", id: "quiz-form" },
    h("p", {}, topic === null ? `Questions from the whole ${track} track.` : `Questions on the topic ${topic}.`),
    field("Mode", mode),
    field("Number of questions", size),
    field("Time limit for an exam (minutes)", minutes),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Start")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const exam = mode.value === "exam";
        const attempt = await must(
          api.POST("/api/v1/me/quizzes", {
            body: {
              mode: exam ? "exam" : "practice",
              scope: topic === null ? { track } : { topics: [topic] },
              size: Number(size.value),
              time_limit_secs: exam ? Number(minutes.value) * 60 : null,
            },
          }),
        );
        history.replaceState(null, "", `#/quiz/${attempt.id}`);
        main.replaceChildren();
        takeQuiz(main, attempt);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(h("h1", {}, "Quiz"), form);
  const past = await must(api.GET("/api/v1/me/quizzes", { params: { query: { limit: 10 } } }));
  if (past.items.length > 0) {
    main.append(
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Your recent quizzes"),
        h(
          "ul",
          {},
          ...past.items.map((q) =>
            h("li", {}, h("a", { href: `#/quiz/${q.id}` }, `${q.mode} of ${new Date(q.created_at).toLocaleString()}`), q.score === null ? " (open)" : `: ${q.score}/${q.total}`),
          ),
        ),
      ),
    );
  }
}

function takeQuiz(main: HTMLElement, attempt: Attempt): void {
  const form = h("form", { id: "quiz", class: "quiz" });
  for (const item of attempt.items) {
    const multiple = item.kind === "multiple_choice";
    const name = `item-${item.position}`;
    form.append(
      h(
        "fieldset",
        { class: "card item", "data-position": item.position },
        h("legend", {}, `${item.position + 1}. `, h("span", { class: "topic-name" }, item.topic.title)),
        markdown(item.prompt, 3),
        item.code === null ? null : codeBlock(item.code),
        multiple ? h("p", { class: "hint" }, "Pick every correct option.") : null,
        ...item.options.map((option, i) =>
          h("label", { class: "option" }, h("input", { type: multiple ? "checkbox" : "radio", name, value: i }), " ", inline(option)),
        ),
      ),
    );
  }
  const submit = h("button", { type: "submit", id: "submit-quiz" }, attempt.mode === "exam" ? "Hand in the exam" : "Check my answers");
  form.append(h("div", { class: "actions" }, submit));
  const timer = h("p", { id: "timer", class: "timer", role: "timer", "aria-live": "off" });
  main.append(h("h1", {}, attempt.mode === "exam" ? "Exam" : "Practice quiz"), attempt.deadline === null ? "" : timer, form);

  let sent = false;
  const send = async () => {
    if (sent) return;
    sent = true;
    submit.disabled = true;
    const answers = attempt.items.map((item) => ({
      position: item.position,
      selected: [...form.querySelectorAll<HTMLInputElement>(`input[name="item-${item.position}"]:checked`)].map((i) => Number(i.value)),
    }));
    try {
      const result = await must(api.POST("/api/v1/me/quizzes/{id}/submission", { params: { path: { id: attempt.id } }, body: { answers } }));
      main.replaceChildren();
      showResult(main, result);
      main.querySelector<HTMLElement>("h1")?.focus();
    } catch (err) {
      sent = false;
      submit.disabled = false;
      ctx.fail(err);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  if (attempt.deadline !== null) {
    const deadline = new Date(attempt.deadline).getTime();
    const tick = () => {
      if (!main.contains(timer)) return;
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      timer.textContent = `Time left: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      if (left === 0) {
        void send();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
}

function showResult(main: HTMLElement, result: Schemas["QuizResult"]): void {
  main.append(
    h("h1", { tabindex: -1 }, "Results"),
    h("p", { id: "quiz-score", class: "score", "data-score": result.score }, `${result.score} of ${result.total} correct (${pct(result.accuracy)})${result.late ? ", handed in late" : ""}.`),
    h("ul", { class: "by-topic" }, ...result.by_topic.map((t) => h("li", {}, h("a", { href: `#/topic/${t.topic.slug}` }, t.topic.title), `: ${t.correct}/${t.total}`))),
  );
  for (const item of result.items) {
    main.append(
      h(
        "section",
        { class: `card result ${item.correct ? "correct" : "wrong"}`, "data-position": item.position },
        h("h2", {}, `${item.position + 1}. ${item.correct ? "✓ Correct" : "✗ Not quite"}`),
        markdown(item.prompt, 3),
        item.code === null ? null : codeBlock(item.code),
        h(
          "ul",
          { class: "options" },
          ...item.options.map((option, i) => {
            const right = item.correct_options.includes(i);
            const chosen = item.selected.includes(i);
            return h("li", { class: `${right ? "right" : ""} ${chosen ? "chosen" : ""}` }, inline(option), right ? " (correct)" : "", chosen ? " (your answer)" : "");
          }),
        ),
        h("div", { class: "explanation" }, h("h3", {}, "Why"), markdown(item.explanation, 3)),
        item.question_id === null ? null : h("p", {}, h("a", { href: `#/question/${item.question_id}` }, "Read the full answer")),
      ),
    );
  }
  main.append(h("p", {}, h("a", { class: "button", href: "#/quiz" }, "Another quiz")));
}
