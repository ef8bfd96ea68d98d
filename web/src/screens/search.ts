/** Searching the question bank of the track in use: ranked results, a page at a time. */
import { api, must } from "../api";
import type { Schemas } from "../api";
import { field, h } from "../dom";
import { inline } from "../render";
import { ctx } from "./context";

/** The words searched for, kept in the address (`#/search?q=…`) so Back returns to them. */
function searchedFor(): string {
  const query = location.hash.split("?")[1] ?? "";
  return new URLSearchParams(query).get("q") ?? "";
}

function result(q: Schemas["QuestionSummary"]): HTMLElement {
  return h(
    "li",
    {},
    h("a", { href: `#/question/${q.id}`, "data-question": q.id }, inline(q.title)),
    " ",
    h("span", { class: `tag ${q.difficulty}` }, q.difficulty),
    h("p", { class: "topic-name" }, h("a", { href: `#/topic/${q.topic.slug}` }, q.topic.title)),
  );
}

export async function searchScreen(main: HTMLElement): Promise<void> {
  const track = await ctx.track();
  const text = searchedFor();
  const input = h("input", { id: "search-q", type: "search", name: "q", maxlength: 200, autocomplete: "off" });
  input.value = text;
  const form = h("form", { class: "card", role: "search" }, field("Words, \"a phrase\", or -excluded", input), h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    location.hash = q === "" ? "#/search" : `#/search?q=${encodeURIComponent(q)}`;
  });
  main.append(h("h1", {}, "Search questions"), form);
  if (text.trim() === "") {
    input.focus();
    return;
  }
  const list = h("ol", { id: "search-results" });
  const summary = h("p", { id: "search-summary", role: "status" });
  const more = h("button", { type: "button", class: "secondary", id: "search-more" }, "More results");
  main.append(h("section", { class: "card questions", "aria-label": "Results" }, summary, list, more));
  let shown = 0;
  const load = async (cursor?: string) => {
    const query = { q: text, track, limit: 20, ...(cursor === undefined ? {} : { cursor }) };
    const page = await must(api.GET("/api/v1/questions", { params: { query } }));
    list.append(...page.items.map(result));
    shown += page.items.length;
    summary.textContent = shown === 0 ? `Nothing on this track matches “${text}”.` : `${shown} question${shown === 1 ? "" : "s"} match “${text}”, best first.`;
    const next = page.next_cursor ?? undefined;
    more.hidden = next === undefined;
    more.onclick = () => {
      void load(next).catch((err: unknown) => ctx.fail(err));
    };
  };
  await load();
}
