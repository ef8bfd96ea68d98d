/** A topic (questions, articles, key points, your mark, note and bookmark), a question's answer, an article. */
import { api, done, must, session } from "../api";
import type { Schemas } from "../api";
import { field, h } from "../dom";
import { inline, markdown } from "../render";
import { ctx } from "./context";

type Kind = Schemas["TargetKind"];

/** The learner's note on a topic or question: Markdown, saved with the device's time. */
async function noteEditor(kind: Kind, id: string): Promise<HTMLElement> {
  const notes = await must(api.GET("/api/v1/me/notes"));
  const existing = notes.items.find((n) => n.kind === kind && n.id === id);
  const text = h("textarea", { id: "note-body", rows: 4 });
  text.value = existing?.body ?? "";
  const preview = h("div", { class: "note-preview" });
  const show = (body: string) => preview.replaceChildren(body.trim() === "" ? "" : markdown(body, 3));
  show(text.value);
  const save = h("button", { type: "submit" }, "Save note");
  const remove = h("button", { type: "button", class: "secondary" }, "Delete note");
  const form = h("form", { class: "card note", "aria-label": "Your note" }, h("h2", {}, "Your note"), field("Note (Markdown)", text), h("div", { class: "actions" }, save, remove), preview);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const written = await must(api.PUT("/api/v1/me/notes/{kind}/{id}", { params: { path: { kind, id } }, body: { body: text.value, updated_at: new Date().toISOString() } }));
        show(written.body);
        ctx.say(written.applied ? "Note saved." : "A newer note from another device stands; it is shown.");
        text.value = written.body;
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  remove.addEventListener("click", () => {
    void (async () => {
      try {
        await done(api.DELETE("/api/v1/me/notes/{kind}/{id}", { params: { path: { kind, id } } }));
        text.value = "";
        show("");
        ctx.say("Note deleted.");
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  return form;
}

async function bookmarkButton(kind: Kind, id: string): Promise<HTMLElement> {
  const marks = await must(api.GET("/api/v1/me/bookmarks"));
  let marked = marks.items.some((b) => b.kind === kind && b.id === id);
  const button = h("button", { type: "button", class: "secondary", id: "bookmark", "aria-pressed": String(marked) });
  const draw = () => {
    button.textContent = marked ? "★ Bookmarked" : "☆ Bookmark";
    button.setAttribute("aria-pressed", String(marked));
  };
  draw();
  button.addEventListener("click", () => {
    void (async () => {
      try {
        if (marked) await done(api.DELETE("/api/v1/me/bookmarks/{kind}/{id}", { params: { path: { kind, id } } }));
        else await must(api.PUT("/api/v1/me/bookmarks/{kind}/{id}", { params: { path: { kind, id } }, body: {} }));
        marked = !marked;
        draw();
        ctx.say(marked ? "Bookmarked." : "Bookmark removed.");
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  return button;
}

const TOPIC_MARKS: [Schemas["TopicStatus"], string][] = [
  ["learning", "Learning"],
  ["done", "Done"],
  ["skipped", "Skip"],
  ["not_started", "Clear mark"],
];

export async function topicScreen(main: HTMLElement, [slug]: string[]): Promise<void> {
  const track = await ctx.track();
  const topic = await must(api.GET("/api/v1/tracks/{track}/topics/{topic}", { params: { path: { track, topic: slug ?? "" } } }));
  main.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/roadmap" }, topic.track.title), topic.stage === null ? " › Elective" : ` › ${topic.stage.title}`),
    h("h1", { id: "topic-title" }, topic.title),
    markdown(topic.summary),
  );
  if (topic.prerequisites.length > 0) {
    main.append(h("p", {}, "Builds on: ", ...topic.prerequisites.flatMap((p, i) => [i > 0 ? ", " : "", h("a", { href: `#/topic/${p.slug}` }, p.title)])));
  }
  if (topic.key_points.length > 0) {
    main.append(h("section", { class: "card" }, h("h2", {}, "Key points"), h("ul", {}, ...topic.key_points.map((k) => h("li", {}, markdown(k, 3))))));
  }
  const questions = h(
    "section",
    { class: "card questions", "aria-labelledby": "q-head" },
    h("h2", { id: "q-head" }, `Questions (${topic.questions.length})`),
    h(
      "ol",
      {},
      ...topic.questions.map((q) => h("li", {}, h("a", { href: `#/question/${q.id}`, "data-question": q.id }, inline(q.title)), " ", h("span", { class: `tag ${q.difficulty}` }, q.difficulty))),
    ),
  );
  main.append(questions);
  if (topic.articles.length > 0) {
    main.append(
      h(
        "section",
        { class: "card articles" },
        h("h2", {}, "Articles"),
        h("ul", {}, ...topic.articles.map((a) => h("li", {}, h("a", { href: `#/article/${a.slug}` }, a.title), h("p", {}, a.summary)))),
      ),
    );
  }
  if (session.account !== null) {
    const marks = h(
      "div",
      { class: "actions", role: "group", "aria-label": "Mark this topic" },
      ...TOPIC_MARKS.map(([status, label]) =>
        h("button", {
          type: "button",
          class: "secondary",
          "data-topic-mark": status,
          onclick: () =>
            void (async () => {
              try {
                const mark = await must(api.PUT("/api/v1/me/tracks/{track}/topics/{topic}/status", { params: { path: { track, topic: topic.slug } }, body: { status } }));
                ctx.say(`Topic marked ${mark.status.replace("_", " ")}.`);
              } catch (err) {
                ctx.fail(err);
              }
            })(),
        }, label),
      ),
    );
    main.append(
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Study it"),
        h(
          "div",
          { class: "actions" },
          h("a", { class: "button", href: `#/quiz?topic=${topic.slug}` }, "Quiz on this topic"),
          topic.counts.flashcards > 0 ? h("a", { class: "button secondary", href: "#/review" }, `Flashcards (${topic.counts.flashcards})`) : null,
          await bookmarkButton("topic", topic.id),
        ),
        h("h3", {}, "Your mark"),
        marks,
      ),
      await noteEditor("topic", topic.id),
    );
  }
}

const QUESTION_MARKS: [Schemas["QuestionStatus"], string][] = [
  ["learning", "Still learning"],
  ["got_it", "Got it"],
  ["new", "Clear"],
];

export async function questionScreen(main: HTMLElement, [id]: string[]): Promise<void> {
  const question = await must(api.GET("/api/v1/questions/{id}", { params: { path: { id: id ?? "" } } }));
  main.append(
    h("p", { class: "crumbs" }, h("a", { href: `#/topic/${question.topic.slug}` }, question.topic.title)),
    h("h1", { id: "question-title" }, inline(question.title)),
    h("p", {}, h("span", { class: `tag ${question.difficulty}` }, question.difficulty), ...question.tags.map((t) => h("span", { class: "tag" }, t))),
    h("section", { class: "prompt" }, markdown(question.prompt)),
    h("section", { class: "answer card", "aria-labelledby": "answer-head" }, h("h2", { id: "answer-head" }, "Answer"), markdown(question.answer)),
  );
  if (session.account === null) return;
  const buttons = QUESTION_MARKS.map(([status, label]) => h("button", { type: "button", class: status === "got_it" ? "" : "secondary", "data-mark": status, "aria-pressed": "false" }, label));
  for (const button of buttons) {
    button.addEventListener("click", () => {
      void (async () => {
        const status = button.dataset["mark"] as Schemas["QuestionStatus"];
        try {
          const mark = await must(api.PUT("/api/v1/me/questions/{id}/status", { params: { path: { id: question.id } }, body: { status } }));
          for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
          ctx.say(mark.status === "got_it" ? "Marked got it: the roadmap fills in." : `Marked ${mark.status}.`);
        } catch (err) {
          ctx.fail(err);
        }
      })();
    });
  }
  main.append(h("div", { class: "actions", role: "group", "aria-label": "How well do you know it?" }, ...buttons, await bookmarkButton("question", question.id)));
  const cold = await must(api.GET("/api/v1/me/questions/{id}/cold-answers", { params: { path: { id: question.id } } }));
  if (cold.attempts.length > 0) {
    main.append(
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Your cold answers"),
        h("ul", {}, ...cold.attempts.map((a) => h("li", {}, `${new Date(a.answered_at).toLocaleDateString()}: `, a.skipped ? "skipped" : a.score === null ? "not graded" : `${Math.round(a.score * 100)}% of the rubric`))),
      ),
    );
  }
  main.append(await noteEditor("question", question.id));
}

export async function articleScreen(main: HTMLElement, [slug]: string[]): Promise<void> {
  const article = await must(api.GET("/api/v1/articles/{slug}", { params: { path: { slug: slug ?? "" } } }));
  main.append(
    h("p", { class: "crumbs" }, ...article.topics.flatMap((t, i) => [i > 0 ? ", " : "", h("a", { href: `#/topic/${t.slug}` }, t.title)])),
    h("h1", {}, article.title),
    h("p", { class: "lead" }, article.summary),
    h("article", { class: "card" }, markdown(article.body)),
  );
}
