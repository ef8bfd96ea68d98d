/** A mock interview: answer cold, reveal the model answer, grade yourself on the rubric. */
import { api, must, uuid } from "../api";
import type { Schemas } from "../api";
import { field, h } from "../dom";
import { inline, markdown } from "../render";
import { ctx } from "./context";

type Interview = Schemas["Interview"];
type Item = Schemas["InterviewItem"];

const GRADES: [Schemas["PointGrade"], string][] = [
  ["got_it", "Got it"],
  ["partly", "Partly"],
  ["missed", "Missed"],
];

export async function interviewScreen(main: HTMLElement, [id]: string[]): Promise<void> {
  if (id !== undefined && id !== "") {
    run(main, await must(api.GET("/api/v1/me/interviews/{id}", { params: { path: { id } } })));
    return;
  }
  const track = await ctx.track();
  const size = h("input", { id: "interview-size", type: "number", min: 1, max: 10, value: 3 });
  const form = h(
    "form",
    { class: "card", id: "interview-form" },
    h("p", {}, "Questions are asked one at a time. Answer as you would aloud, without notes; then compare with the model answer and grade each rubric point honestly."),
    field("Questions", size),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Start the interview")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const interview = await must(api.POST("/api/v1/me/interviews", { body: { scope: { track }, size: Number(size.value), client_id: uuid() } }));
        history.replaceState(null, "", `#/interview/${interview.id}`);
        main.replaceChildren();
        run(main, interview);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(h("h1", {}, "Mock interview"), form);
  const due = await must(api.GET("/api/v1/me/interviews/due"));
  if (due.items.length > 0) {
    main.append(
      h("section", { class: "card" }, h("h2", {}, "Questions due for another cold answer"), h("ul", {}, ...due.items.map((d) => h("li", {}, h("a", { href: `#/question/${d.question.id}` }, inline(d.question.title)))))),
    );
  }
}

function run(main: HTMLElement, interview: Interview): void {
  const items = [...interview.items];
  const heading = h("h1", {}, "Mock interview");
  const progress = h("p", { id: "interview-progress" });
  const stage = h("div", { id: "interview-stage" });
  main.append(heading, progress, stage);

  const next = () => {
    const item = items.find((i) => i.stage === "unanswered" || i.stage === "answered");
    progress.textContent = `${items.filter((i) => i.stage === "graded" || i.stage === "skipped").length} of ${items.length} done`;
    stage.replaceChildren();
    if (item === undefined) summary();
    else if (item.stage === "unanswered") ask(item);
    else grade(item);
  };

  const replace = (updated: Item) => {
    const at = items.findIndex((i) => i.position === updated.position);
    if (at !== -1) items[at] = updated;
  };

  const ask = (item: Item) => {
    const answer = h("textarea", { id: "cold-answer", rows: 8 });
    const skip = h("button", { type: "button", class: "secondary", id: "skip" }, "Skip (counts as a miss)");
    const form = h(
      "form",
      { class: "card", "data-position": item.position },
      h("h2", { id: "interview-question" }, `Question ${item.position + 1}: `, inline(item.question.title)),
      h("p", { class: "topic-name" }, `${item.question.topic.title} · ${item.question.difficulty}`),
      markdown(item.question.prompt, 3),
      field("Your answer", answer),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Answer and reveal"), skip),
    );
    const send = async (body: Schemas["ColdAttempt"]) => {
      try {
        replace(await must(api.PUT("/api/v1/me/interviews/{id}/items/{position}/answer", { params: { path: { id: interview.id, position: item.position } }, body })));
        next();
        stage.querySelector<HTMLElement>("h2")?.focus();
      } catch (err) {
        ctx.fail(err);
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void send({ answer: answer.value });
    });
    skip.addEventListener("click", () => void send({ skip: true }));
    stage.append(form);
    answer.focus();
  };

  const grade = (item: Item) => {
    const rubric = item.rubric ?? [];
    const form = h(
      "form",
      { class: "card", id: "grade-form", "data-position": item.position },
      h("h2", { tabindex: -1 }, `Question ${item.position + 1}: `, inline(item.question.title)),
      h("h3", {}, "Your answer"),
      h("blockquote", { class: "cold" }, item.cold_answer ?? "(none)"),
      h("h3", {}, "Model answer"),
      markdown(item.model_answer ?? "", 3),
      h("h3", {}, "Grade yourself on each point"),
      ...rubric.map((point, i) =>
        h(
          "fieldset",
          { class: "rubric" },
          h("legend", {}, inline(point)),
          ...GRADES.map(([g, label]) => h("label", { class: "option" }, h("input", { type: "radio", name: `point-${i}`, value: g, required: true }), ` ${label}`)),
        ),
      ),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save grades")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const grades = rubric.map((_, i) => (form.querySelector<HTMLInputElement>(`input[name="point-${i}"]:checked`)?.value ?? "missed") as Schemas["PointGrade"]);
      void (async () => {
        try {
          const graded = await must(api.PUT("/api/v1/me/interviews/{id}/items/{position}/grades", { params: { path: { id: interview.id, position: item.position } }, body: { grades } }));
          replace(graded);
          ctx.say(`Scored ${Math.round((graded.score ?? 0) * 100)}% of the rubric${graded.probe_outcome === "verified" ? ": verified" : ""}.`);
          next();
        } catch (err) {
          ctx.fail(err);
        }
      })();
    });
    stage.append(form);
  };

  const summary = () => {
    stage.append(
      h(
        "section",
        { class: "card", id: "interview-summary" },
        h("h2", { tabindex: -1 }, "Interview complete"),
        h(
          "ol",
          {},
          ...items.map((i) =>
            h("li", {}, h("a", { href: `#/question/${i.question.id}` }, inline(i.question.title)), i.stage === "skipped" ? ": skipped" : `: ${Math.round((i.score ?? 0) * 100)}% of the rubric`),
          ),
        ),
        h("p", {}, h("a", { href: "#/focus" }, "See your soft spots"), " · ", h("a", { href: "#/roadmap" }, "Roadmap")),
      ),
    );
  };
  next();
}
