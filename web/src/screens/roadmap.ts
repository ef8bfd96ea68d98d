/** The roadmap: stages in order, each filling in; claimed beside verified. */
import { api, must, session } from "../api";
import type { Schemas } from "../api";
import { bar, h, pct } from "../dom";
import { ctx } from "./context";

function verificationBars(v: Schemas["Verification"] | undefined, what: string): HTMLElement | null {
  if (v === undefined) return null;
  return h(
    "div",
    { class: "claims" },
    h("span", { class: "legend" }, `Claimed ${pct(v.claimed_share)}`),
    bar(v.claimed_share, `${what}: claimed ${pct(v.claimed_share)}`, "claimed"),
    h("span", { class: "legend" }, `Verified ${pct(v.verified_share)}`),
    bar(v.verified_share, `${what}: verified ${pct(v.verified_share)}`, "verified"),
  );
}

function topicItem(topic: Schemas["RoadmapTopic"]): HTMLElement {
  const p = topic.progress;
  const facts = [`${topic.counts.questions} questions`, `${topic.counts.flashcards} cards`];
  if (p !== undefined) {
    facts.push(`${p.questions.got_it}/${p.questions.total} got it`);
    if (p.verification.verified > 0) facts.push(`${p.verification.verified} verified`);
    if (p.flashcards_due > 0) facts.push(`${p.flashcards_due} cards due`);
  }
  return h(
    "li",
    { class: `topic status-${p?.status ?? "none"}`, "data-topic": topic.slug, "data-fill": p === undefined ? null : String(p.fill), "data-verified": p === undefined ? null : String(p.verification.verified) },
    h("a", { href: `#/topic/${topic.slug}`, class: "topic-link" }, topic.title),
    p === undefined ? null : bar(p.fill, `${topic.title}: ${p.percent}% filled`),
    h("small", {}, facts.join(" · ")),
  );
}

export async function roadmapScreen(main: HTMLElement): Promise<void> {
  const tracks = await ctx.tracks();
  const slug = await ctx.track();
  const roadmap = await must(api.GET("/api/v1/tracks/{track}", { params: { path: { track: slug } } }));
  const picker = h("select", { id: "track", "aria-label": "Track" }, ...tracks.map((t) => h("option", { value: t.slug, selected: t.slug === slug }, t.title)));
  picker.addEventListener("change", () => {
    ctx.setTrack(picker.value);
    main.replaceChildren();
    void roadmapScreen(main);
  });
  main.append(
    h("div", { class: "heading-row" }, h("h1", {}, roadmap.title), tracks.length > 1 ? picker : null),
    h("p", { class: "lead" }, roadmap.summary),
  );
  if (roadmap.progress !== undefined) {
    main.append(
      h(
        "section",
        { class: "card overall", "aria-label": "Your progress" },
        h("p", { id: "track-fill", "data-fill": String(roadmap.progress.fill) }, `You have ${roadmap.progress.percent}% of the track down.`),
        bar(roadmap.progress.fill, `Track filled ${roadmap.progress.percent}%`),
        verificationBars(roadmap.verification, "Track"),
      ),
    );
  } else if (session.account === null) {
    main.append(h("p", { class: "hint" }, h("a", { href: "#/login" }, "Log in"), " to see the roadmap fill in as you study."));
  }
  const stages = h("ol", { class: "stages" });
  for (const stage of roadmap.stages) {
    stages.append(
      h(
        "li",
        { class: "stage", "data-stage": stage.slug, "data-fill": stage.progress === undefined ? null : String(stage.progress.fill) },
        h("h2", {}, stage.title, stage.progress === undefined ? null : h("span", { class: "percent" }, ` ${stage.progress.percent}%`)),
        h("p", {}, stage.summary),
        stage.progress === undefined ? null : bar(stage.progress.fill, `${stage.title}: ${stage.progress.percent}% filled`),
        verificationBars(stage.verification, stage.title),
        h("ul", { class: "topics" }, ...stage.topics.map(topicItem)),
      ),
    );
  }
  main.append(stages);
  if (roadmap.electives.length > 0) {
    main.append(h("section", { class: "stage electives" }, h("h2", {}, "Electives"), h("ul", { class: "topics" }, ...roadmap.electives.map(topicItem))));
  }
}
