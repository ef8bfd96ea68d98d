/** The activity heatmap, the streak and the review statistics. */
import { api, must } from "../api";
import { h, pct } from "../dom";

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export async function activityScreen(main: HTMLElement): Promise<void> {
  const to = new Date();
  const from = new Date(to.getTime() - 7 * 20 * 86_400_000);
  from.setUTCDate(from.getUTCDate() - ((from.getUTCDay() + 6) % 7)); // start on a Monday
  const [activity, stats] = await Promise.all([
    must(api.GET("/api/v1/me/activity", { params: { query: { from: isoDate(from), to: isoDate(to) } } })),
    must(api.GET("/api/v1/me/reviews/stats")),
  ]);
  const counts = new Map(activity.days.map((d) => [d.date, d.count]));
  const max = Math.max(1, ...activity.days.map((d) => d.count));
  const grid = h("div", { class: "heatmap", id: "heatmap", role: "img", "aria-label": `Activity from ${activity.from} to ${activity.to}: ${activity.total} actions` });
  const start = new Date(`${activity.from}T00:00:00Z`);
  const end = new Date(`${activity.to}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  for (let d = new Date(start); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = isoDate(d);
    const count = counts.get(date) ?? 0;
    const level = count === 0 ? 0 : Math.min(4, 1 + Math.floor((count / max) * 3.999));
    grid.append(h("span", { class: `cell level-${level}`, title: `${date}: ${count}`, "data-date": date, "data-count": count }));
  }
  main.append(
    h("h1", {}, "Activity"),
    h(
      "p",
      { class: "lead", id: "streak", "data-streak": activity.current_streak },
      `Current streak: ${activity.current_streak} day${activity.current_streak === 1 ? "" : "s"} · longest ${activity.longest_streak} · ${activity.total} actions since ${activity.from} (${activity.timezone})`,
    ),
    h("div", { class: "heatmap-wrap" }, grid),
    h("p", { class: "legend-row", "aria-hidden": "true" }, "Less ", ...[0, 1, 2, 3, 4].map((l) => h("span", { class: `cell level-${l}` })), " More"),
    h(
      "section",
      { class: "card", id: "review-stats" },
      h("h2", {}, "Flashcards"),
      h(
        "ul",
        {},
        h("li", {}, `${stats.reviews_total} reviews in all`),
        h("li", {}, `Retention: ${stats.retention === null ? "not measured yet" : pct(stats.retention)}${stats.retention_30d === null ? "" : ` (30 days: ${pct(stats.retention_30d)})`}, aiming at ${pct(stats.desired_retention)}`),
        h("li", {}, `Cards: ${stats.cards_by_state.new} new, ${stats.cards_by_state.learning} learning, ${stats.cards_by_state.review} in review, ${stats.cards_by_state.relearning} relearning`),
      ),
    ),
  );
}
