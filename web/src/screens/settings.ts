/** Account settings: name, time zone and new cards a day; reminders; export; deleting the account. */
import { api, done, must, session } from "../api";
import type { Schemas } from "../api";
import { field, h } from "../dom";
import { ctx } from "./context";

const DAYS: Schemas["Weekday"][] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

function zones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.("timeZone") ?? [];
  return [...new Set(["UTC", current, Intl.DateTimeFormat().resolvedOptions().timeZone, ...all])];
}

export async function settingsScreen(main: HTMLElement): Promise<void> {
  const [me, reminders] = await Promise.all([must(api.GET("/api/v1/me")), must(api.GET("/api/v1/me/reminders"))]);
  session.updateAccount(me);

  const name = h("input", { id: "display-name", value: me.display_name, required: true, autocomplete: "name" });
  const zone = h("select", { id: "timezone" }, ...zones(me.timezone).map((z) => h("option", { value: z, selected: z === me.timezone }, z)));
  const perDay = h("input", { id: "new-per-day", type: "number", min: 0, max: 1000, value: me.new_cards_per_day });
  const retention = h("input", { id: "retention", type: "number", min: 0.7, max: 0.99, step: 0.01, value: me.desired_retention });
  const account = h(
    "form",
    { class: "card", id: "account-form" },
    h("h2", {}, "Account"),
    h("p", {}, `${me.email}${me.email_verified ? " (verified)" : " (not verified)"}`),
    field("Name", name),
    field("Time zone", zone, "Days, streaks and reminders follow it."),
    field("New flashcards a day", perDay),
    field("Desired retention", retention, "The share of cards you want to recall when they come due (higher means more reviews)."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")),
  );
  account.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const updated = await must(api.PATCH("/api/v1/me", { body: { display_name: name.value, timezone: zone.value, new_cards_per_day: Number(perDay.value), desired_retention: Number(retention.value) } }));
        session.updateAccount(updated);
        ctx.say(`Saved: time zone ${updated.timezone}.`);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const enabled = h("input", { type: "checkbox", id: "reminders-on", checked: reminders.enabled });
  const hour = h("input", { type: "number", id: "reminder-hour", min: 0, max: 23, value: reminders.local_hour });
  const remind = h(
    "form",
    { class: "card", id: "reminders-form" },
    h("h2", {}, "Study reminders"),
    h("label", { class: "option" }, enabled, " Mail me a reminder on days I have something due"),
    field(`Hour of the day (${reminders.timezone})`, hour),
    h(
      "fieldset",
      { class: "days" },
      h("legend", {}, "Days"),
      ...DAYS.map((d) => h("label", { class: "option" }, h("input", { type: "checkbox", name: "rday", value: d, checked: reminders.days.includes(d) }), ` ${d.slice(0, 3)}`)),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save reminders")),
  );
  remind.addEventListener("submit", (event) => {
    event.preventDefault();
    const days = [...remind.querySelectorAll<HTMLInputElement>("input[name=rday]:checked")].map((i) => i.value as Schemas["Weekday"]);
    void (async () => {
      try {
        const saved = await must(api.PUT("/api/v1/me/reminders", { body: { enabled: enabled.checked, local_hour: Number(hour.value), days } }));
        ctx.say(saved.enabled ? `Reminders on at ${saved.local_hour}:00.` : "Reminders off.");
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const exportButton = h("button", { type: "button", id: "export" }, "Download my data");
  const exportLink = h("a", { id: "export-link", hidden: true }, "Your export is ready: save it");
  exportButton.addEventListener("click", () => {
    void (async () => {
      try {
        const data = await must(api.GET("/api/v1/me/export"));
        const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
        exportLink.setAttribute("href", URL.createObjectURL(blob));
        exportLink.setAttribute("download", `studytrack-export-${data.exported_at.slice(0, 10)}.json`);
        exportLink.hidden = false;
        exportLink.focus();
        ctx.say(`Export ready: ${data.reviews.length} reviews, ${data.quiz_attempts.length} quizzes, ${data.notes.length} notes.`);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const current = h("input", { type: "password", id: "current-password", autocomplete: "current-password", required: true });
  const fresh = h("input", { type: "password", id: "change-password", autocomplete: "new-password", required: true });
  const password = h("form", { class: "card", id: "password-form" }, h("h2", {}, "Password"), field("Current password", current), field("New password", fresh), h("div", { class: "actions" }, h("button", { type: "submit" }, "Change password")));
  password.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        session.set(await must(api.POST("/api/v1/me/password", { body: { current_password: current.value, new_password: fresh.value } })));
        password.reset();
        ctx.say("Password changed; other devices are signed out.");
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const newEmail = h("input", { type: "email", id: "new-email", autocomplete: "email", required: true });
  const emailPassword = h("input", { type: "password", id: "email-password", autocomplete: "current-password", required: true });
  const email = h(
    "form",
    { class: "card", id: "email-form" },
    h("h2", {}, "Email address"),
    field("New address", newEmail),
    field("Password", emailPassword),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change address")),
  );
  email.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const answer = await must(api.POST("/api/v1/me/email", { body: { new_email: newEmail.value, password: emailPassword.value } }));
        email.reset();
        ctx.say(`${answer.detail} Follow the link mailed to the new address to confirm it.`);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  const everywhere = h("button", { type: "button", class: "secondary", id: "logout-all" }, "Sign out on every device");
  everywhere.addEventListener("click", () => {
    void (async () => {
      try {
        await done(api.POST("/api/v1/auth/logout-all"));
        session.set(null);
        ctx.say("Signed out on every device.", true);
        location.hash = "#/login";
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const confirm = h("input", { type: "password", id: "delete-password", autocomplete: "current-password", required: true });
  const remove = h(
    "form",
    { class: "card danger", id: "delete-form" },
    h("h2", {}, "Delete the account"),
    h("p", {}, "This removes your account and all your progress for good. Download your data first if you want to keep it."),
    field("Password to confirm", confirm),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "Delete my account")),
  );
  remove.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        await done(api.DELETE("/api/v1/me", { body: { password: confirm.value } }));
        session.set(null);
        ctx.say("Your account is deleted.", true);
        location.hash = "#/login";
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  main.append(h("h1", {}, "Settings"), account, remind, h("section", { class: "card" }, h("h2", {}, "Your data"), h("div", { class: "actions" }, exportButton, exportLink)), email, password, h("section", { class: "card" }, h("h2", {}, "Sessions"), h("div", { class: "actions" }, everywhere)), remove);
}
