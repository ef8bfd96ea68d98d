/** Sign up (finished by the mailed link), log in, and a forgotten password. */
import { api, done, must, session } from "../api";
import { field, formData, h } from "../dom";
import { ctx } from "./context";

export async function loginScreen(main: HTMLElement): Promise<void> {
  const email = h("input", { type: "email", name: "email", id: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", id: "password", autocomplete: "current-password", required: true, minlength: 1 });
  const login = h(
    "form",
    { id: "login-form", class: "card" },
    h("h2", {}, "Log in"),
    field("Email", email),
    field("Password", password),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Log in"), h("button", { type: "button", class: "secondary", id: "forgot" }, "Forgot password?")),
  );
  login.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const tokens = await must(api.POST("/api/v1/auth/login", { body: { email: email.value, password: password.value } }));
        session.set(tokens);
        ctx.say(`Signed in as ${tokens.account.display_name}.`, true);
        location.hash = "#/today";
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  login.querySelector("#forgot")?.addEventListener("click", () => {
    void (async () => {
      if (!email.reportValidity()) return;
      try {
        const answer = await must(api.POST("/api/v1/auth/password-reset", { body: { email: email.value } }));
        ctx.say(`${answer.detail} A reset link is on its way if the address has an account.`);
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });

  const register = h(
    "form",
    { id: "register-form", class: "card" },
    h("h2", {}, "Create an account"),
    field("Name", h("input", { name: "display_name", id: "reg-name", autocomplete: "name", required: true })),
    field("Email", h("input", { type: "email", name: "email", id: "reg-email", autocomplete: "email", required: true })),
    field("Password", h("input", { type: "password", name: "password", id: "reg-password", autocomplete: "new-password", required: true }), "At least 8 characters, not a common password."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign up")),
  );
  register.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = formData(register);
    void (async () => {
      try {
        const answer = await must(
          api.POST("/api/v1/auth/register", {
            body: { display_name: values["display_name"] ?? "", email: values["email"] ?? "", password: values["password"] ?? "" },
          }),
        );
        ctx.say(`${answer.detail} Check your inbox: the link in the mail finishes signing up.`);
        register.reset();
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(h("h1", {}, "Welcome to studytrack"), h("p", { class: "lead" }, "Prepare for technical interviews: a roadmap, answers, flashcards, quizzes and mock interviews."), h("div", { class: "grid2" }, login, register));
}

export async function resetScreen(main: HTMLElement): Promise<void> {
  const token = sessionStorage.getItem("studytrack.app.reset");
  main.append(h("h1", {}, "Choose a new password"));
  if (token === null) {
    main.append(h("p", {}, "Open the link from the reset mail to choose a new password."));
    return;
  }
  const input = h("input", { type: "password", id: "new-password", autocomplete: "new-password", required: true });
  const form = h("form", { id: "reset-form", class: "card" }, field("New password", input, "At least 8 characters, not a common password."), h("div", { class: "actions" }, h("button", { type: "submit" }, "Set password")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        await done(api.POST("/api/v1/auth/password-reset/confirm", { body: { token, new_password: input.value } }));
        sessionStorage.removeItem("studytrack.app.reset");
        session.set(null);
        ctx.say("Your password is changed. Log in with the new one.", true);
        location.hash = "#/login";
      } catch (err) {
        ctx.fail(err);
      }
    })();
  });
  main.append(form);
}
