// The demo page and the interactive reference, driven in Debian's Chromium (never a
// downloaded browser) against a running server:
//
//   STUDYTRACK_URL=http://127.0.0.1:8080 node --test test/
//
// The page is loaded from the service's /demo/ route when it has one, else from a
// local static server with `?api=` (the cross-origin setup of a third-party front end).
// Every request the browser makes is recorded; any to a host other than this machine
// fails the run, so the page and /docs are proven to work offline.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { serveStatic } from "../static-server.js";

const API = (process.env.STUDYTRACK_URL ?? "").replace(/\/+$/, "");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const WEB_ROOT = fileURLToPath(new URL("../../web/", import.meta.url));
const TARGET = fileURLToPath(new URL("../../../target/", import.meta.url));
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** What the browser asked for, and what went wrong on the page, across all pages. */
const requests = [];
const pageErrors = [];

let context;
let profile;
let staticSite;

function offMachine() {
  return requests.filter((url) => {
    const { protocol, hostname } = new URL(url);
    if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return false;
    return !LOCAL_HOSTS.has(hostname);
  });
}

async function openPage(url) {
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`${page.url()}: console: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

/** The demo's address: the service's own /demo/ route if it serves the page. */
async function serviceDemoUrl() {
  try {
    const response = await fetch(`${API}/demo/`);
    const body = await response.text();
    if (response.ok && body.includes("studytrack demo")) return `${API}/demo/`;
  } catch {
    // not served: fall through to the static server
  }
  return null;
}

async function staticDemoUrl() {
  staticSite ??= await serveStatic(WEB_ROOT);
  return `${staticSite.url}/index.html?api=${encodeURIComponent(API)}`;
}

/**
 * The newest `action` link (`verify-email`, `reset-password`) mailed to `to`, from the
 * folder the test SMTP server files the server's mail in (`STUDYTRACK_MAILDIR`): the
 * browser follows it as a person would.
 */
async function mailedLink(to, action = "verify-email") {
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
    assert.ok(Date.now() < deadline, `no sign-up link was mailed to ${to} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads a topic's fill from the roadmap as the page drew it. */
function topicFill(page, slug) {
  return page.getAttribute(`.stages [data-topic="${slug}"]`, "data-fill").then((value) => (value === null ? null : Number(value)));
}

describe("in Chromium", { concurrency: false }, () => {
  let demoUrl;
  let servedByService;
  /** The learner the first test signed up. */
  let registered;

  before(async () => {
    assert.ok(API, "set STUDYTRACK_URL to a running server");
    profile = mkdtempSync(join(tmpdir(), "studytrack-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    context.on("request", (request) => requests.push(request.url()));
    const fromService = await serviceDemoUrl();
    servedByService = fromService !== null;
    demoUrl = fromService ?? (await staticDemoUrl());
  });

  after(async () => {
    await context?.close();
    staticSite?.server.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("the demo page: register, open a topic and a question, mark it got it, the roadmap fills", async (t) => {
    t.diagnostic(`demo page at ${demoUrl} (${servedByService ? "served by the service" : "static server, ?api="})`);
    const page = await openPage(demoUrl);
    await page.waitForSelector("body[data-ready]");
    assert.ok((await page.locator(".stages > .stage").count()) > 0, "no stages drawn");
    assert.equal(await page.locator("[data-topic][data-fill]").count(), 0, "fill shown before logging in");

    const email = `browser-${Date.now()}-${process.pid}@example.com`;
    await page.fill("#email", email);
    await page.fill("#password", "a long enough password for the demo");
    await page.fill("#display-name", "Browser Test");
    await page.click("#auth-form button[value=register]");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("Check your inbox"));
    assert.ok(await page.locator("#account").isHidden(), "signed in before following the mailed link");
    // The link in the mail opens the page, which finishes signing up and signs in.
    const link = await mailedLink(email);
    await page.goto(link);
    await page.waitForSelector("#account:not([hidden])");
    assert.ok(!page.url().includes("token="), `the used link stays in the address bar: ${page.url()}`);
    registered = email;
    await page.waitForSelector(".stages [data-topic][data-fill]");
    assert.ok(await page.locator("#auth-form").isHidden(), "the login form stays after logging in");

    const first = page.locator(".stages .topic-link").first();
    const slug = await first.getAttribute("data-topic");
    const before = await topicFill(page, slug);
    assert.equal(before, 0, `a new learner's ${slug} fill is ${before}`);

    await first.click();
    await page.waitForSelector("#topic:not([hidden]) #topic-title");
    assert.equal(await first.getAttribute("aria-current"), "true", "the open topic is not marked current");
    const questionLinks = page.locator("#topic .questions a");
    assert.ok((await questionLinks.count()) > 0, "the topic lists no questions");
    const questionTitle = (await questionLinks.first().innerText()).trim();

    await questionLinks.first().click();
    await page.waitForSelector("#question:not([hidden]) #question-title");
    const answer = page.locator("#question .answer");
    assert.ok((await answer.locator("p").count()) > 0, "the answer has no paragraphs");
    assert.ok(!(await answer.innerText()).includes("```"), "a code fence was shown raw");
    assert.ok(questionTitle.includes((await page.innerText("#question-title")).trim().slice(0, 20)), "a different question opened");

    await page.click("#question button[data-mark=got_it]");
    await page.waitForFunction(
      ([s, was]) => Number(document.querySelector(`.stages [data-topic="${s}"]`)?.dataset.fill ?? was) > was,
      [slug, before],
    );
    const afterFill = await topicFill(page, slug);
    assert.ok(afterFill > before, `fill went ${before} -> ${afterFill}`);
    assert.equal(await page.getAttribute("#question button[data-mark=got_it]", "aria-pressed"), "true");
    assert.match(await page.innerText("#status"), /got it/i);
    assert.match(await page.innerText(`.stages [data-topic="${slug}"]`), /1\/\d+ got it/);

    mkdirSync(TARGET, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(TARGET, "demo.png") });

    // Phone width: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
    await page.screenshot({ path: join(TARGET, "demo-phone.png") });
    await page.close();
  });

  test("a forgotten password: ask on the page, follow the mailed link, log in with the new one", async (t) => {
    if (!servedByService) {
      t.skip("the mailed links point at the service's /demo/ route, which this server does not have");
      return;
    }
    const page = await openPage(demoUrl);
    await page.waitForSelector("body[data-ready]");
    await page.fill("#email", registered);
    await page.click("#auth-form button[value=forgot]");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("on its way"));
    await page.goto(await mailedLink(registered, "reset-password"));
    await page.waitForSelector("#reset-form:not([hidden])");
    assert.ok(!page.url().includes("token="), `the link stays in the address bar: ${page.url()}`);
    await page.fill("#new-password", "a brand new demo passphrase");
    await page.click("#reset-form button[type=submit]");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("password is changed"));
    await page.fill("#email", registered);
    await page.fill("#password", "a brand new demo passphrase");
    await page.click("#auth-form button[value=login]");
    await page.waitForSelector("#account:not([hidden])");
    await page.close();
  });

  test("the demo page from another static server, through ?api=", async (t) => {
    if (!servedByService) {
      t.skip("already tested that way: the service does not serve /demo/");
      return;
    }
    const page = await openPage(await staticDemoUrl());
    await page.waitForSelector("body[data-ready]");
    assert.ok((await page.locator(".stages .topic-link").count()) > 0, "no topics drawn cross-origin");
    await page.close();
  });

  test("/docs renders every operation", async () => {
    const page = await openPage(`${API}/docs/`);
    await page.waitForSelector(".opblock", { timeout: 15_000 });
    const operations = await page.locator(".opblock").count();
    const documented = await fetch(`${API}/openapi.json`)
      .then((r) => r.json())
      // The paths, and the calls of the `webhooks` section (Swagger UI lists those too).
      .then((doc) => [...Object.values(doc.paths), ...Object.values(doc.webhooks ?? {})]
        .flatMap((item) => Object.keys(item).filter((k) => /^(get|put|post|patch|delete)$/.test(k))).length);
    assert.equal(operations, documented, `Swagger UI shows ${operations} of ${documented} operations`);
    assert.ok(await page.locator(".opblock-summary-path", { hasText: "/api/v1/tracks/{track}" }).first().isVisible());
    await page.close();
  });

  test("no request left the machine and no page logged an error", () => {
    assert.ok(requests.length > 0, "no requests were recorded");
    assert.deepEqual(offMachine(), [], "requests to other hosts");
    assert.deepEqual(pageErrors, [], "errors on the pages");
  });
});
