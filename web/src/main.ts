/** The studytrack reference client: routing, layout and the mailed links. */
import "highlight.js/styles/github.css";
import "./app.css";

import { api, done, must, preview, problemText, session } from "./api";
import { clear, h } from "./dom";
import { flushQueue, queuedCount } from "./offline";
import type { Screen } from "./screens/context";
import { ctx } from "./screens/context";
import { activityScreen } from "./screens/activity";
import { loginScreen, resetScreen } from "./screens/auth";
import { focusScreen } from "./screens/focus";
import { interviewScreen } from "./screens/interview";
import { profileScreen } from "./screens/profile";
import { quizScreen } from "./screens/quiz";
import { reviewScreen } from "./screens/review";
import { roadmapScreen } from "./screens/roadmap";
import { searchScreen } from "./screens/search";
import { settingsScreen } from "./screens/settings";
import { todayScreen } from "./screens/today";
import { articleScreen, questionScreen, topicScreen } from "./screens/topic";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const net = document.getElementById("net") as HTMLElement;

interface Route {
  pattern: RegExp;
  screen: Screen;
  needsLogin: boolean;
  title: string;
}

const routes: Route[] = [
  { pattern: /^today$/, screen: todayScreen, needsLogin: true, title: "Today" },
  { pattern: /^roadmap$/, screen: roadmapScreen, needsLogin: false, title: "Roadmap" },
  { pattern: /^topic\/([\w-]+)$/, screen: topicScreen, needsLogin: false, title: "Topic" },
  { pattern: /^question\/([0-9a-f-]{36})$/, screen: questionScreen, needsLogin: false, title: "Question" },
  { pattern: /^article\/([\w-]+)$/, screen: articleScreen, needsLogin: false, title: "Article" },
  { pattern: /^search$/, screen: searchScreen, needsLogin: false, title: "Search" },
  { pattern: /^review$/, screen: reviewScreen, needsLogin: true, title: "Flashcards" },
  { pattern: /^quiz(?:\/([0-9a-f-]{36}))?$/, screen: quizScreen, needsLogin: true, title: "Quiz" },
  { pattern: /^interview(?:\/([0-9a-f-]{36}))?$/, screen: interviewScreen, needsLogin: true, title: "Mock interview" },
  { pattern: /^focus$/, screen: focusScreen, needsLogin: true, title: "Soft spots" },
  { pattern: /^activity$/, screen: activityScreen, needsLogin: true, title: "Activity" },
  { pattern: /^profile$/, screen: profileScreen, needsLogin: true, title: "Profile" },
  { pattern: /^settings$/, screen: settingsScreen, needsLogin: true, title: "Settings" },
  { pattern: /^login$/, screen: loginScreen, needsLogin: false, title: "Log in" },
  { pattern: /^reset-password$/, screen: resetScreen, needsLogin: false, title: "New password" },
];

const NAV: [string, string, boolean][] = [
  ["today", "Today", true],
  ["roadmap", "Roadmap", false],
  ["search", "Search", false],
  ["review", "Flashcards", true],
  ["quiz", "Quiz", true],
  ["interview", "Interview", true],
  ["focus", "Soft spots", true],
  ["activity", "Activity", true],
  ["profile", "Profile", true],
  ["settings", "Settings", true],
];

function drawNav(current: string): void {
  const signedIn = session.account !== null;
  clear(nav);
  const list = h("ul");
  for (const [path, label, needsLogin] of NAV) {
    if (needsLogin && !signedIn) continue;
    const here = current.split("/")[0] === path;
    list.append(h("li", {}, h("a", { href: `#/${path}`, "aria-current": here ? "page" : null }, label)));
  }
  if (signedIn) {
    list.append(h("li", {}, h("button", { type: "button", class: "link", id: "logout", onclick: () => void logout() }, "Log out")));
  } else {
    list.append(h("li", {}, h("a", { href: "#/login", "aria-current": current === "login" ? "page" : null }, "Log in")));
  }
  nav.append(list);
}

async function logout(): Promise<void> {
  const refresh = session.session?.refresh_token;
  if (refresh !== undefined && navigator.onLine) {
    await api.POST("/api/v1/auth/logout", { body: { refresh_token: refresh } }).catch(() => undefined);
  }
  session.set(null);
  ctx.say("You are logged out.", true);
  location.hash = "#/login";
}

let rendering = 0;

async function render(): Promise<void> {
  const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
  if (location.hash !== "" && !location.hash.startsWith("#/")) return; // an in-page anchor
  const path = hash === "" ? (session.account !== null ? "today" : "roadmap") : decodeURIComponent(hash.split("?")[0] ?? "");
  const route = routes.find((r) => r.pattern.test(path));
  drawNav(path);
  const mine = ++rendering;
  ctx.clearStaleStatus();
  clear(main);
  if (route === undefined) {
    main.append(h("h1", { tabindex: -1 }, "Not found"), h("p", {}, "There is no such page. ", h("a", { href: "#/roadmap" }, "Go to the roadmap")));
    return;
  }
  if (route.needsLogin && session.account === null) {
    ctx.say("Log in first.", true);
    location.hash = "#/login";
    return;
  }
  document.title = `${route.title} · studytrack`;
  const params = (route.pattern.exec(path) ?? []).slice(1);
  main.setAttribute("aria-busy", "true");
  try {
    await route.screen(main, params.map((p) => p ?? ""));
  } catch (err) {
    if (mine === rendering) {
      main.append(h("p", { class: "error", role: "alert" }, problemText(err)));
    }
  } finally {
    main.removeAttribute("aria-busy");
  }
  if (mine === rendering) {
    const heading = main.querySelector<HTMLElement>("h1");
    if (heading !== null && document.activeElement === document.body) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    document.body.dataset["screen"] = path.split("/")[0] ?? "";
    document.body.dataset["ready"] = String(Date.now());
  }
}

/** The links the server mails land on /app/<page>?token=...: finish what they started. */
async function followMailedLink(): Promise<void> {
  const page = location.pathname.split("/").pop() ?? "";
  const token = new URLSearchParams(location.search).get("token");
  const base = location.pathname.replace(/[^/]*$/, "");
  if (page === "" || page === "index.html") return;
  // The used token leaves the address bar; the screen to show next is set the same way,
  // so no hashchange renders it a second time.
  const land = (hash: string) => history.replaceState(null, "", `${base}${hash}`);
  land(location.hash);
  if (token === null) {
    if (page === "forgot-password") land("#/login");
    return;
  }
  try {
    switch (page) {
      case "verify-email": {
        const tokens = await must(api.POST("/api/v1/auth/register/confirm", { body: { token } }));
        session.set(tokens);
        ctx.say(`Welcome, ${tokens.account.display_name}: your address is verified and you are signed in.`, true);
        land("#/roadmap");
        break;
      }
      case "verify-address":
        await done(api.POST("/api/v1/auth/email-verification/confirm", { body: { token } }));
        ctx.say("Your address is verified.", true);
        break;
      case "confirm-email":
        await done(api.POST("/api/v1/auth/email-change/confirm", { body: { token } }));
        ctx.say("Your new address is confirmed. Log in with it.", true);
        session.set(null);
        land("#/login");
        break;
      case "reset-password":
        sessionStorage.setItem("studytrack.app.reset", token);
        land("#/reset-password");
        break;
      case "unsubscribe": {
        const answer = await must(api.POST("/api/v1/reminders/unsubscribe", { params: { query: { token } } }));
        ctx.say(answer.detail, true);
        break;
      }
      default:
        break;
    }
  } catch (err) {
    ctx.fail(err, true);
  }
}

function drawNet(): void {
  const queued = queuedCount();
  net.textContent = navigator.onLine ? (queued > 0 ? `${queued} to sync` : "") : `Offline${queued > 0 ? `: ${queued} reviews queued` : ""}`;
  net.className = navigator.onLine ? "net" : "net offline";
}

async function sync(): Promise<void> {
  drawNet();
  if (!navigator.onLine || session.account === null) return;
  try {
    const result = await flushQueue();
    if (result !== null) ctx.say(result);
  } catch (err) {
    ctx.fail(err);
  }
  drawNet();
}

/** A reviewer's preview link: say so on every screen, and offer the way out. */
function drawPreview(): void {
  if (preview.token === null) return;
  const url = new URL(location.href);
  if (url.searchParams.has("preview")) {
    url.searchParams.delete("preview");
    history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
  }
  const leave = h("button", { type: "button", class: "link", id: "leave-preview" }, "Leave preview");
  const banner = h("div", { id: "preview-banner", class: "preview-banner", role: "note" }, "Preview: unpublished drafts are shown. ", leave);
  leave.addEventListener("click", () => {
    preview.stop();
    banner.remove();
    void render();
  });
  main.before(banner);
}

/** Keeps the page itself for offline visits (web/public/sw.js); API calls are not cached. */
function keepShellOffline(): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("./sw.js").catch(() => undefined);
}

async function start(): Promise<void> {
  keepShellOffline();
  drawPreview();
  session.onChange(() => drawNav(location.hash.slice(2)));
  window.addEventListener("hashchange", () => void render());
  window.addEventListener("online", () => void sync());
  window.addEventListener("offline", drawNet);
  window.addEventListener("studytrack:queue", drawNet);
  await followMailedLink();
  await render();
  await sync();
}

void start();
