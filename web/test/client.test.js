// The reference client (web/, served by the API at /app/) driven in Debian's Chromium
// (never a downloaded browser) through a learner's day:
//
//   STUDYTRACK_URL=http://127.0.0.1:8080 STUDYTRACK_MAILDIR=... node --test test/
//
// The server must mail its links to /app (STUDYTRACK_APP_URL=$URL/app). The walk signs up
// through the mailed link, studies a topic, reviews ten cards, takes a quiz and an exam,
// runs a three-question mock interview, sees the roadmap and soft spots change, reviews
// offline and sees the sync, then checks every main screen at phone width and with
// axe-core (from node_modules, injected over the DevTools protocol so the page's CSP
// stays on). Any request to another host, page error or console error fails the run.
// Screenshots go to target/web-client/.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const API = (process.env.STUDYTRACK_URL ?? "").replace(/\/+$/, "");
const APP = `${API}/app/`;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = fileURLToPath(new URL("../../target/web-client/", import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const PASSWORD = "a long enough password for the client";
const NEW_PASSWORD = "another long passphrase for the client";

const requests = [];
/** Content GETs the server answered 304 Not Modified (the client sent If-None-Match). */
const notModified = [];
const problems = [];
/** Console errors the walk provokes on purpose (a wrong password is a 401). */
let expectedConsole = null;

let browser;
let context;
let page;

function offMachine() {
  return requests.filter((url) => {
    const { protocol, hostname } = new URL(url);
    if (["data:", "blob:", "about:"].includes(protocol)) return false;
    return !LOCAL_HOSTS.has(hostname);
  });
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Goes to `#/route` and waits until the screen has drawn. */
async function go(route) {
  const before = await page.evaluate(() => document.body.dataset.ready ?? "");
  await page.evaluate((r) => {
    location.hash = `#/${r}`;
  }, route);
  const screen = route.split(/[/?]/)[0];
  await page.waitForFunction(([b, s]) => document.body.dataset.ready !== b && document.body.dataset.screen === s, [before, screen]);
}

async function statusSays(pattern) {
  await page.waitForFunction((source) => new RegExp(source, "i").test(document.getElementById("status")?.textContent ?? ""), pattern.source);
  return page.innerText("#status");
}

/** The newest `action` link mailed to `to`, from the test SMTP server's folder. */
async function mailedLink(to, action) {
  const dir = process.env.STUDYTRACK_MAILDIR ?? "";
  assert.ok(dir, "set STUDYTRACK_MAILDIR to the folder the test SMTP server files the server's mail in");
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")).sort().reverse() : [];
    for (const file of files) {
      const raw = readFileSync(join(dir, file), "utf8").replaceAll("=\r\n", "").replaceAll("=\n", "").replaceAll("=3D", "=");
      const addressed = raw.split(/\r?\n/).some((line) => line.toLowerCase() === `to: ${to.toLowerCase()}`);
      const link = raw.match(new RegExp(`https?://[^\\s"<>]+/${action}\\?token=[A-Za-z0-9_-]+`));
      if (addressed && link) return link[0];
    }
    assert.ok(Date.now() < deadline, `no ${action} link was mailed to ${to} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** axe-core's serious and critical violations on the page as drawn now. */
async function axeViolations() {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

async function fills() {
  return page.$$eval(".stages [data-topic][data-fill]", (els) => els.map((e) => [e.dataset.topic, Number(e.dataset.fill), Number(e.dataset.verified)]));
}

async function softSpots() {
  await go("focus");
  return page.$$eval("#soft-spots > li", (els) => els.map((e) => `${e.dataset.topic}:${[...e.querySelectorAll("[data-code]")].map((c) => c.dataset.code).join(",")}`));
}

/** Shows the answer with Space and rates with a number key; waits for the counter. */
async function reviewOne(key, expectedCount) {
  await page.waitForSelector("#review-card[data-card-id]");
  const id = await page.getAttribute("#review-card", "data-card-id");
  await page.keyboard.press("Space");
  await page.waitForSelector("#review-card .back:not([hidden])");
  const buttons = await page.$$eval(".rate-row .rate-interval", (els) => els.map((e) => e.textContent ?? ""));
  await page.keyboard.press(key);
  await page.waitForFunction(([n, was]) => document.getElementById("review-counter")?.dataset.reviewed === String(n) && document.getElementById("review-card")?.dataset.cardId !== was, [expectedCount, id]);
  return buttons;
}

describe("the web client in Chromium", { concurrency: false }, () => {
  let email = `client-${Date.now()}-${process.pid}@example.com`;
  let password = PASSWORD;

  before(async () => {
    assert.ok(API, "set STUDYTRACK_URL to a running server");
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on("request", (request) => requests.push(request.url()));
    context.on("response", (response) => {
      if (response.status() === 304 && response.url().includes("/api/v1/")) notModified.push(response.url());
    });
    page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`${page.url()}: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      if (expectedConsole?.test(message.text())) return;
      problems.push(`${page.url()}: console: ${message.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
  });

  test("sign up, follow the mailed link to /app, and the page is strict", async () => {
    const response = await page.goto(APP);
    const csp = response.headers()["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self'/, `the page's CSP: ${csp}`);
    assert.doesNotMatch(csp, /unsafe/, `the page's CSP: ${csp}`);
    await page.waitForSelector("body[data-screen=roadmap] .stages .topic-link");
    await shot("roadmap-public");
    await go("login");
    await page.fill("#reg-name", "Client Learner");
    await page.fill("#reg-email", email);
    await page.fill("#reg-password", password);
    await page.click("#register-form button[type=submit]");
    await statusSays(/check your inbox/);
    await shot("signup");
    const link = await mailedLink(email, "verify-email");
    assert.ok(link.startsWith(`${API}/app/verify-email?`), `the mailed link does not land on the client: ${link}`);
    await page.goto(link);
    await page.waitForSelector("#logout");
    await page.waitForSelector("body[data-screen=roadmap] .stages [data-fill]");
    assert.ok(!page.url().includes("token="), `the used link stays in the address bar: ${page.url()}`);
    await statusSays(/verified and you are signed in/);
  });

  test("a wrong password is a human message, a forgotten one is reset by mail", async () => {
    await page.click("#logout");
    await page.waitForSelector("body[data-screen=login]");
    expectedConsole = /status of 401/;
    await page.fill("#email", email);
    await page.fill("#password", "not the password at all");
    await page.click("#login-form button[type=submit]");
    const said = await page.waitForSelector("#status.error");
    const message = await said.innerText();
    expectedConsole = null;
    assert.ok(message.length > 10 && !message.includes("{"), `a 401 shown as: ${message}`);
    await page.click("#forgot");
    await statusSays(/on its way/);
    await page.goto(await mailedLink(email, "reset-password"));
    await page.waitForSelector("#reset-form");
    assert.ok(!page.url().includes("token="), `the used link stays in the address bar: ${page.url()}`);
    await page.fill("#new-password", NEW_PASSWORD);
    await page.click("#reset-form button[type=submit]");
    await statusSays(/password is changed/);
    password = NEW_PASSWORD;
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("body[data-screen=today] #agenda, body[data-screen=today] #goal-form");
  });

  test("a rejected access token is refreshed once, transparently, and the refresh token rotates", async () => {
    const before = await page.evaluate(() => JSON.parse(localStorage.getItem("studytrack.app.session")));
    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem("studytrack.app.session"));
      stored.access_token = "expired.or.forged";
      localStorage.setItem("studytrack.app.session", JSON.stringify(stored));
    });
    expectedConsole = /status of 401/;
    const refreshes = [];
    const onRequest = (request) => {
      if (request.url().endsWith("/api/v1/auth/refresh")) refreshes.push(request.url());
    };
    context.on("request", onRequest);
    await page.reload();
    // Today's screen asks three things at once: all get a 401, one refresh serves them.
    await page.waitForSelector("body[data-screen=today] #goal-form");
    context.off("request", onRequest);
    expectedConsole = null;
    const after = await page.evaluate(() => JSON.parse(localStorage.getItem("studytrack.app.session")));
    assert.equal(refreshes.length, 1, `${refreshes.length} refresh calls`);
    assert.notEqual(after.refresh_token, before.refresh_token, "the refresh token did not rotate");
    assert.notEqual(after.access_token, "expired.or.forged");
    assert.ok(await page.isVisible("#logout"), "signed out instead of refreshed");
  });

  let startFills;
  let startSpots;

  test("study a topic: questions, an article, a note, a bookmark, an answer with highlighted code, got it", async () => {
    await go("roadmap");
    await page.selectOption("#track", "python"); // preparing for a Python interview
    await page.waitForSelector("body[data-screen=roadmap] h1:text('Python')");
    startSpots = await softSpots();
    await go("roadmap");
    startFills = await fills();
    assert.ok(startFills.length > 0 && startFills.every(([, f]) => f === 0), `a new learner's fills: ${JSON.stringify(startFills)}`);
    assert.ok((await page.locator(".stage .claims .bar.verified").count()) > 0, "no verified bars beside the claimed ones");
    await shot("roadmap");

    await page.click(".stages .topic-link");
    await page.waitForSelector("#topic-title");
    assert.ok((await page.locator(".questions a[data-question]").count()) > 0, "the topic lists no questions");
    await shot("topic");
    await page.fill("#note-body", "Remember: **GIL** and `asyncio`. <script>alert(1)</script>");
    await page.click("form.note button[type=submit]");
    await statusSays(/note saved/);
    assert.equal(await page.locator(".note-preview strong").innerText(), "GIL");
    assert.equal(await page.locator(".note-preview script").count(), 0, "raw HTML in a note was rendered");
    await page.click("#bookmark");
    await statusSays(/bookmarked/);
    assert.equal(await page.getAttribute("#bookmark", "aria-pressed"), "true");
    // Claiming the whole topic without evidence makes it a soft spot (claimed, unproven).
    await page.click("[data-topic-mark=done]");
    await statusSays(/topic marked done/);

    if ((await page.locator(".articles a").count()) > 0) {
      await page.click(".articles a");
      await page.waitForSelector("body[data-screen=article] article .markdown");
      await shot("article");
      await page.goBack();
      await page.waitForSelector("#topic-title");
    }

    // Keyboard alone: Tab to the first question and open it with Enter.
    const first = await page.getAttribute(".questions a[data-question]", "data-question");
    let found = false;
    for (let i = 0; i < 60 && !found; i += 1) {
      await page.keyboard.press("Tab");
      found = await page.evaluate((id) => document.activeElement?.getAttribute("data-question") === id, first);
    }
    assert.ok(found, "Tab never reached the first question");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-screen=question] #question-title");
    const answer = page.locator(".answer .markdown");
    assert.ok((await answer.locator("p").count()) > 0, "the answer has no paragraphs");
    assert.ok(!(await answer.innerText()).includes("```"), "a code fence was shown raw");
    if ((await answer.locator("pre code").count()) > 0) {
      assert.ok((await answer.locator("pre code span[class^=hljs-]").count()) > 0, "code is not highlighted");
    }
    await page.click("button[data-mark=got_it]");
    await statusSays(/got it/);
    await shot("question");
    await go("roadmap");
    const now = await fills();
    assert.ok(now.some(([, f]) => f > 0), "the roadmap did not fill in after got it");
  });

  test("search the question bank from the form, page by page, and open a result", async () => {
    await go("search");
    await page.fill("#search-q", "mutable default");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-screen=search] #search-results li");
    assert.match(page.url(), /#\/search\?q=mutable%20default$/, "the search is kept in the address");
    assert.match(await page.innerText("#search-summary"), /match “mutable default”, best first/);
    const titles = await page.locator("#search-results a[data-question]").allInnerTexts();
    assert.match(titles[0], /default/i, `the best match first: ${titles.join(" | ")}`);
    assert.ok(titles.length < 20, `fewer than a page: ${titles.length}`);
    assert.equal(await page.isVisible("#search-more"), false, "More results offered with nothing more to show");
    await shot("search");
    // A broad word fills more than one page; "More results" appends the next one.
    await go("search?q=python");
    const firstPage = await page.locator("#search-results li").count();
    assert.equal(firstPage, 20, "a page of twenty");
    assert.equal(await page.isVisible("#search-more"), true);
    await page.click("#search-more");
    await page.waitForFunction((n) => document.querySelectorAll("#search-results li").length > n, firstPage);
    const ids = await page.locator("#search-results a[data-question]").evaluateAll((as) => as.map((a) => a.getAttribute("data-question")));
    assert.equal(new Set(ids).size, ids.length, "a question was listed twice across pages");
    await go("search?q=zzqxnomatch");
    assert.match(await page.innerText("#search-summary"), /nothing on this track matches/i);
    await page.goBack();
    await page.waitForSelector("#search-results li");
    await page.click("#search-results a[data-question]");
    await page.waitForSelector("body[data-screen=question] #question-title");
  });

  test("review ten flashcards with the keyboard; the API's intervals are shown", async () => {
    await go("review");
    for (let i = 1; i <= 10; i += 1) {
      const buttons = await reviewOne(String(((i - 1) % 4) + 1), i);
      assert.equal(buttons.filter((b) => b.trim() !== "").length, 4, `the rating buttons show the API's intervals: ${buttons}`);
      const outcome = await page.innerText("#review-outcome");
      assert.match(outcome, /next review in .*Again \S+ · Hard \S+ · Good \S+ · Easy \S+/, `after review ${i}: ${outcome}`);
    }
    await shot("flashcards");
  });

  test("a practice quiz and a timed exam, graded with explanations", async () => {
    await go("quiz");
    await page.selectOption("#quiz-mode", "practice");
    await page.fill("#quiz-size", "5");
    await page.click("#quiz-form button[type=submit]");
    await page.waitForSelector("#quiz fieldset.item");
    for (const item of await page.locator("#quiz fieldset.item").all()) await item.locator("input").first().check();
    await shot("quiz");
    await page.click("#submit-quiz");
    await page.waitForSelector("#quiz-score");
    assert.ok((await page.locator(".result .explanation .markdown").count()) > 0, "results without explanations");
    await shot("quiz-results");

    await go("quiz");
    await page.selectOption("#quiz-mode", "exam");
    await page.fill("#quiz-size", "3");
    await page.fill("#quiz-minutes", "5");
    await page.click("#quiz-form button[type=submit]");
    await page.waitForSelector("#timer");
    assert.match(await page.innerText("#timer"), /Time left: [45]:\d\d/);
    for (const item of await page.locator("#quiz fieldset.item").all()) await item.locator("input").last().check();
    await shot("exam");
    await page.click("#submit-quiz");
    await page.waitForSelector("#quiz-score");
  });

  test("a three-question mock interview: answer cold, reveal, grade the rubric", async () => {
    await go("interview");
    await page.fill("#interview-size", "3");
    await page.click("#interview-form button[type=submit]");
    for (let i = 0; i < 3; i += 1) {
      await page.waitForSelector("#cold-answer");
      await page.fill("#cold-answer", "The interpreter holds a lock; threads take turns. I would use processes for CPU-bound work.");
      if (i === 0) await shot("interview-question");
      await page.click("#interview-stage form button[type=submit]");
      await page.waitForSelector("#grade-form");
      assert.ok((await page.locator("#grade-form fieldset.rubric").count()) > 0, "no rubric to grade");
      const grade = ["got_it", "partly", "missed"][i];
      for (const point of await page.locator("#grade-form fieldset.rubric").all()) await point.locator(`input[value=${grade}]`).check();
      if (i === 0) await shot("interview-grade");
      await page.click("#grade-form button[type=submit]");
      await statusSays(/of the rubric/);
    }
    await page.waitForSelector("#interview-summary");
    assert.equal(await page.locator("#interview-summary li").count(), 3);
    await shot("interview-summary");
  });

  test("the roadmap and the soft spots changed with the day's work", async () => {
    await go("roadmap");
    const now = await fills();
    assert.notDeepEqual(now, startFills, "the roadmap did not change");
    assert.ok(now.some(([, , verified]) => verified > 0), `nothing verified after a quiz and an interview: ${JSON.stringify(now)}`);
    const spots = await softSpots();
    assert.notDeepEqual(spots, startSpots, `soft spots did not change: ${JSON.stringify(spots)}`);
    await shot("soft-spots");
  });

  test("today's agenda, a goal and its forecast; activity and streak; the public profile; settings", async () => {
    await go("today");
    assert.ok((await page.locator("#summary").innerText()).includes("streak"));
    const date = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.fill("#goal-date", date);
    await page.fill("#goal-minutes", "45");
    await page.click("#goal-form button[type=submit]");
    await page.waitForSelector("#forecast");
    assert.match(await page.innerText("#forecast h2"), new RegExp(date));
    await shot("today");

    await go("activity");
    assert.ok(Number(await page.getAttribute("#streak", "data-streak")) >= 1, "no streak after a day of study");
    assert.ok((await page.locator("#heatmap .cell:not(.level-0)").count()) >= 1, "the heatmap shows no activity");
    await shot("activity");

    await go("profile");
    await page.fill("#handle", `learner-${process.pid}`);
    await page.check("#public");
    await page.check("#show-name");
    await page.click("#profile-form button[type=submit]");
    await page.waitForSelector("#profile-card img.svg-card");
    await page.waitForFunction(() => [...document.querySelectorAll("#profile-card img")].every((img) => img.complete && img.naturalWidth > 0));
    assert.match(await page.innerText("#profile-card"), /Client Learner/);
    await shot("profile");

    await go("settings");
    await page.selectOption("#timezone", "Europe/Berlin");
    await page.click("#account-form button[type=submit]");
    await statusSays(/time zone Europe\/Berlin/);
    await page.check("#reminders-on");
    await page.fill("#reminder-hour", "18");
    await page.click("#reminders-form button[type=submit]");
    await statusSays(/reminders on at 18/);
    await page.click("#export");
    await page.waitForSelector("#export-link:not([hidden])");
    assert.match(await page.getAttribute("#export-link", "href"), /^blob:/);
    await shot("settings");

    // A new address: confirmed through the link mailed to it, then used to log in.
    const changed = email.replace("client-", "moved-");
    await page.fill("#new-email", changed);
    await page.fill("#email-password", password);
    await page.click("#email-form button[type=submit]");
    await statusSays(/follow the link mailed to the new address/);
    await page.goto(await mailedLink(changed, "confirm-email"));
    await statusSays(/new address is confirmed/);
    assert.ok(!page.url().includes("token="), `the used link stays in the address bar: ${page.url()}`);
    email = changed;
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#logout");
  });

  test("offline: reviews go on from IndexedDB and sync when the network is back", async () => {
    await go("review");
    await page.waitForSelector("#review-card[data-card-id]");
    await context.setOffline(true);
    let token;
    try {
      await page.waitForFunction(() => /offline/i.test(document.getElementById("net")?.textContent ?? ""));
      // The app reopened with the network off: the page comes from the service worker's
      // copy, and the cards from IndexedDB (due list and bundle).
      const served = [];
      const onResponse = (response) => served.push([response.url(), response.fromServiceWorker()]);
      page.on("response", onResponse);
      await page.reload();
      page.off("response", onResponse);
      await page.waitForSelector("body[data-screen=review] #review-mode");
      assert.ok(served.some(([url, sw]) => /\/app\/(#.*)?$/.test(url) && sw), `the page was not served offline by the worker: ${JSON.stringify(served)}`);
      assert.match(await page.innerText("#review-mode"), /offline/i);
      for (let i = 1; i <= 3; i += 1) await reviewOne("3", i);
      assert.match(await page.innerText("#review-outcome"), /saved on this device/);
      assert.match(await page.innerText("#net"), /3 reviews queued/);
      await shot("offline-review");
      token = await page.evaluate(() => JSON.parse(localStorage.getItem("studytrack.app.session")).access_token);
    } finally {
      await context.setOffline(false);
    }
    const said = await statusSays(/synced 3 offline reviews/);
    assert.match(said, /3 applied/);
    await page.waitForFunction(() => (document.getElementById("net")?.textContent ?? "") === "");
    const stats = await fetch(`${API}/api/v1/me/reviews/stats`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json());
    assert.equal(stats.reviews_total, 13, `the server has ${stats.reviews_total} reviews, not 10 online + 3 offline`);
  });

  test("every main screen: no serious accessibility violation, and it fits a phone", async () => {
    const screens = ["today", "roadmap", `topic/${startFills[0][0]}`, "search?q=generator", "review", "quiz", "interview", "focus", "activity", "profile", "settings", "login"];
    const found = [];
    for (const screen of screens) {
      if (screen === "login") {
        await page.click("#logout");
        await page.waitForSelector("body[data-screen=login]");
      } else {
        await page.setViewportSize({ width: 1280, height: 900 });
        await go(screen);
      }
      for (const v of await axeViolations()) found.push(`${screen}: ${v}`);
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${screen} is ${overflow}px wider than a phone screen`);
      await shot(`phone-${screen.split(/[/?]/)[0]}`);
    }
    assert.deepEqual(found, [], "serious or critical accessibility violations");
  });

  test("a reviewer's preview link shows unpublished drafts; leaving it shows the published content", async () => {
    const email = process.env.STUDYTRACK_ADMIN_EMAIL;
    assert.ok(email, "set STUDYTRACK_ADMIN_EMAIL and STUDYTRACK_ADMIN_PASSWORD (an admin account)");
    const call = async (method, path, token, body) => {
      const res = await fetch(`${API}${path}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const { access_token: admin } = await call("POST", "/api/v1/auth/login", null, { email, password: process.env.STUDYTRACK_ADMIN_PASSWORD });
    const topic = await call("GET", "/api/v1/tracks/python/topics/fundamentals");
    const id = topic.questions[0].id;
    const published = (await call("GET", `/api/v1/questions/${id}`)).title;
    const { doc } = await call("GET", `/api/v1/admin/content/questions/${id}`, admin);
    const changeset = await call("POST", "/api/v1/admin/changesets", admin, { title: "Reviewer preview" });
    await call("PUT", `/api/v1/admin/content/questions/${id}/draft?changeset=${changeset.id}`, admin, { ...doc, title: `${doc.title} (reworded draft)` });
    const { token } = await call("POST", "/api/v1/admin/preview-tokens", admin, { changeset_id: changeset.id, expires_in_seconds: 600 });

    await page.goto(`${APP}?preview=${token}#/question/${id}`);
    await page.waitForSelector("#preview-banner");
    await page.waitForSelector("#question-title");
    assert.match(await page.innerText("#question-title"), /\(reworded draft\)/);
    assert.ok(!page.url().includes(token), "the token left the address bar");
    await shot("preview");
    // Search finds the draft's wording too while previewing.
    await go("search?q=reworded");
    await page.waitForSelector(`#search-results a[data-question="${id}"]`);
    assert.match(await page.innerText(`#search-results a[data-question="${id}"]`), /\(reworded draft\)/);
    await page.goBack();
    await page.waitForSelector("#question-title");
    // Learners still get the published question.
    assert.equal((await call("GET", `/api/v1/questions/${id}`)).title, published);
    await page.click("#leave-preview");
    await page.waitForFunction(() => {
      const title = document.getElementById("question-title")?.textContent ?? "";
      return title !== "" && !title.includes("(reworded draft)");
    });
    assert.equal(await page.locator("#preview-banner").count(), 0);
    await go("login");
  });

  test("delete the account from settings", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.fill("#email", email);
    await page.fill("#password", password);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#logout");
    await go("settings");
    await page.fill("#delete-password", password);
    await page.click("#delete-form button[type=submit]");
    await statusSays(/account is deleted/);
    await page.waitForSelector("body[data-screen=login]");
  });

  test("no request left the machine and the page logged no error", () => {
    assert.ok(requests.length > 0, "no requests were recorded");
    assert.deepEqual(offMachine(), [], "requests to other hosts");
    assert.deepEqual(problems, [], "errors on the page");
    assert.ok(notModified.length > 0, "no content GET was revalidated with its ETag (304)");
  });
});
