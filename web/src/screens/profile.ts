/** The public profile: choose a handle and visibility, see the card others see. */
import { api, done, must } from "../api";
import { bar, field, h } from "../dom";
import { ctx } from "./context";

export async function profileScreen(main: HTMLElement): Promise<void> {
  const mine = await must(api.GET("/api/v1/me/profile"));
  const handle = h("input", { id: "handle", required: true, value: mine.handle ?? "", autocomplete: "nickname", pattern: "[A-Za-z0-9][A-Za-z0-9_\\-]{2,29}" });
  const visible = h("input", { type: "checkbox", id: "public", checked: mine.visibility === "public" });
  const showName = h("input", { type: "checkbox", id: "show-name", checked: mine.show_display_name });
  const form = h(
    "form",
    { class: "card", id: "profile-form" },
    field("Handle", handle, "3 to 30 letters, digits, dashes or underscores."),
    h("label", { class: "option" }, visible, " Public: anyone with the link sees your fill and streak"),
    h("label", { class: "option" }, showName, " Show my name"),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save profile"), mine.handle === null ? null : h("button", { type: "button", class: "secondary", id: "delete-profile" }, "Remove profile")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        await must(api.PUT("/api/v1/me/profile", { body: { handle: handle.value, visibility: visible.checked ? "public" : "private", show_display_name: showName.checked } }));
        ctx.say("Profile saved.");
        main.replaceChildren();
        await profileScreen(main);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  form.querySelector("#delete-profile")?.addEventListener("click", () => {
    void (async () => {
      try {
        await done(api.DELETE("/api/v1/me/profile"));
        ctx.say("Profile removed.");
        main.replaceChildren();
        await profileScreen(main);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(h("h1", {}, "Public profile"), form);
  if (mine.handle === null || mine.visibility !== "public") return;
  const profile = await must(api.GET("/api/v1/profiles/{handle}", { params: { path: { handle: mine.handle } } }));
  const card = h(
    "section",
    { class: "card profile-card", id: "profile-card" },
    h("h2", {}, profile.display_name ?? `@${profile.handle}`),
    h("p", {}, `@${profile.handle} · streak ${profile.current_streak} day${profile.current_streak === 1 ? "" : "s"}`),
    mine.url === null ? null : h("p", {}, "Shared at ", h("code", {}, mine.url)),
  );
  for (const track of profile.tracks) {
    // The embeddable SVG card, from this origin only.
    const cardPath = `/api/v1/profiles/${encodeURIComponent(profile.handle)}/tracks/${encodeURIComponent(track.slug)}/card.svg`;
    card.append(
      h("h3", {}, `${track.title}: ${track.percent}%`),
      bar(track.fill, `${track.title} ${track.percent}% filled`),
      h("ul", { class: "stage-fills" }, ...track.stages.map((s) => h("li", {}, `${s.title} ${s.percent}%`))),
      h("img", { src: cardPath, alt: `${track.title} progress card of @${profile.handle}`, width: 400, height: 120, class: "svg-card" }),
    );
  }
  main.append(card);
}
