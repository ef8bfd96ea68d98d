// The demo page: a track drawn as a roadmap, stage by stage, each topic filled in by the
// signed-in learner's progress; a topic's questions; one question's answer; and marks
// that refill the roadmap. Plain DOM, no build step. The location hash holds what is
// open (`#/python/fundamentals/<question id>`), so links and the back button work.

import { Api, ApiError, apiBase } from "./api.js";
import { renderInline, renderMarkdown } from "./markdown.js";

const $ = (id) => document.getElementById(id);

/** Builds an element. Strings become text nodes; only `html` takes markup (ours). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "html") el.innerHTML = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...present(children));
  return el;
}

const present = (children) => children.flat().filter((child) => child !== null && child !== undefined && child !== false);

/** Replaces an element's content, skipping absent (null/false) parts. */
function put(el, ...children) {
  el.replaceChildren(...present(children));
}

const STATUS_LABELS = { not_started: "not started", learning: "learning", done: "done", skipped: "skipped" };
const MARK_LABELS = { got_it: "got it", learning: "still learning", new: "new" };

const state = {
  api: null,
  tracks: [],
  roadmap: null,
  topic: null,
  question: null,
  /** Marks made in this tab: the API has no read of single question marks. */
  marks: new Map(),
  /** Bumped on every navigation, so a slow answer for an old route is dropped. */
  route: 0,
};

function announce(message, kind = "info") {
  const status = $("status");
  status.textContent = message;
  status.dataset.kind = kind;
}

function reportError(err) {
  console.error(err);
  announce(err instanceof ApiError ? `The API said: ${err.message}` : `Something went wrong: ${err.message}`, "error");
}

// ------------------------------------------------------------------ routing

function parseHash() {
  const [track, topic, question] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { track: track || null, topic: topic || null, question: question || null };
}

function hrefFor(...parts) {
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}

async function route({ focus = true } = {}) {
  const seq = ++state.route;
  const wanted = parseHash();
  const track = wanted.track ?? state.tracks.find((t) => t.slug === "python")?.slug ?? state.tracks[0]?.slug;
  if (!track) return;
  try {
    if (state.roadmap?.slug !== track) {
      $("track-select").value = track;
      await loadRoadmap(track);
    }
    if (seq !== state.route) return;
    if (wanted.topic && state.topic?.slug !== wanted.topic) {
      const topic = await state.api.topic(track, wanted.topic);
      if (seq !== state.route) return;
      state.topic = topic;
    } else if (!wanted.topic) {
      state.topic = null;
    }
    if (wanted.question && state.question?.id !== wanted.question) {
      const question = await state.api.question(wanted.question);
      if (seq !== state.route) return;
      state.question = question;
    } else if (!wanted.question) {
      state.question = null;
    }
    renderRoadmap();
    renderTopic();
    renderQuestion();
    if (focus) {
      const heading = wanted.question ? $("question-title") : wanted.topic ? $("topic-title") : null;
      heading?.focus();
    }
  } catch (err) {
    reportError(err);
  }
}

// ------------------------------------------------------------------ roadmap

async function loadRoadmap(track) {
  $("roadmap").setAttribute("aria-busy", "true");
  try {
    state.roadmap = await state.api.roadmap(track);
  } finally {
    $("roadmap").setAttribute("aria-busy", "false");
  }
}

/** A bar for a fill, with the numbers for assistive technology and for tests. */
function fillBar(progress, label) {
  if (!progress) return null;
  const bar = h("span", { class: "fill-bar" });
  bar.style.width = `${progress.percent}%`;
  return h(
    "span",
    {
      class: "fill",
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-valuenow": progress.percent,
      "aria-valuetext": `${progress.percent}%`,
    },
    bar,
  );
}

function topicItem(topic) {
  const p = topic.progress;
  const selected = state.topic?.slug === topic.slug;
  const detail = p
    ? `${p.questions.got_it}/${p.questions.total} got it`
    : `${topic.counts.questions} question${topic.counts.questions === 1 ? "" : "s"}`;
  return h(
    "li",
    {},
    h(
      "a",
      {
        class: `topic-link ${p ? `status-${p.status}` : ""}`,
        href: hrefFor(state.roadmap.slug, topic.slug),
        "aria-current": selected ? "true" : null,
        dataset: { topic: topic.slug, ...(p ? { fill: String(p.fill), percent: String(p.percent), status: p.status } : {}) },
      },
      h("span", { class: "topic-title" }, topic.title),
      h("span", { class: "topic-meta" }, detail, p ? ` · ${STATUS_LABELS[p.status] ?? p.status}` : null),
      p ? h("span", { class: "topic-percent", "aria-hidden": "true" }, `${p.percent}%`) : null,
      fillBar(p, `${topic.title}: ${p?.percent ?? 0}% filled`),
    ),
  );
}

function renderRoadmap() {
  const roadmap = state.roadmap;
  const section = $("roadmap");
  if (!roadmap) return;
  const signedIn = Boolean(roadmap.progress);
  put(
    section,
    h("h2", { id: "roadmap-title" }, roadmap.title, h("span", { class: "subtitle" }, " roadmap")),
    h("div", { class: "markdown summary", html: renderMarkdown(roadmap.summary, { headingOffset: 2, minHeading: 3 }) }),
    signedIn
      ? h(
          "p",
          { class: "overall", dataset: { trackFill: String(roadmap.progress.fill) } },
          h("span", {}, `Your track: ${roadmap.progress.percent}%`),
          fillBar(roadmap.progress, `${roadmap.title}: ${roadmap.progress.percent}% filled`),
        )
      : h("p", { class: "hint" }, "Log in to see your progress on every topic."),
    h(
      "ol",
      { class: "stages" },
      roadmap.stages.map((stage, index) =>
        h(
          "li",
          { class: "stage", dataset: { stage: stage.slug } },
          h(
            "div",
            { class: "stage-head" },
            h("h3", {}, h("span", { class: "stage-number" }, `Stage ${index + 1}`), " ", stage.title),
            stage.progress
              ? h("span", { class: "stage-percent", dataset: { fill: String(stage.progress.fill) } }, `${stage.progress.percent}%`)
              : null,
          ),
          fillBar(stage.progress, `Stage ${stage.title}: ${stage.progress?.percent ?? 0}% filled`),
          h("ol", { class: "topics" }, stage.topics.map(topicItem)),
        ),
      ),
    ),
    roadmap.electives.length > 0
      ? h(
          "div",
          { class: "stage electives" },
          h("h3", {}, "Electives ", h("span", { class: "hint" }, "(optional: they only ever add to your track)")),
          h("ul", { class: "topics" }, roadmap.electives.map(topicItem)),
        )
      : null,
  );
}

// ------------------------------------------------------------------ topic and question

function renderTopic() {
  const topic = state.topic;
  const section = $("topic");
  section.hidden = !topic;
  $("detail-empty").hidden = Boolean(topic);
  if (!topic) return;
  put(
    section,
    h("p", { class: "crumbs" }, topic.stage ? `${topic.track.title} · ${topic.stage.title}` : `${topic.track.title} · elective`),
    h("h2", { id: "topic-title", tabindex: "-1" }, topic.title),
    h("div", { class: "markdown", html: renderMarkdown(topic.summary, { headingOffset: 2, minHeading: 3 }) }),
    topic.key_points.length > 0
      ? h(
          "details",
          { class: "key-points" },
          h("summary", {}, `Key points (${topic.key_points.length})`),
          h("ul", {}, topic.key_points.map((point) => h("li", { html: renderInline(point) }))),
        )
      : null,
    h("h3", {}, `Questions (${topic.questions.length})`),
    h(
      "ol",
      { class: "questions" },
      topic.questions.map((q) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: hrefFor(topic.track.slug, topic.slug, q.id),
              "aria-current": state.question?.id === q.id ? "true" : null,
              dataset: { question: q.id },
            },
            h("span", { class: `badge ${q.difficulty}` }, q.difficulty),
            " ",
            h("span", { html: renderInline(q.title) }),
            state.marks.has(q.id) ? h("span", { class: "mark" }, ` · ${MARK_LABELS[state.marks.get(q.id)]}`) : null,
          ),
        ),
      ),
    ),
  );
}

function renderQuestion() {
  const question = state.question;
  const section = $("question");
  section.hidden = !question;
  if (!question) return;
  const signedIn = Boolean(state.api.account);
  const mark = state.marks.get(question.id);
  const markButton = (status, label, cls) =>
    h(
      "button",
      {
        type: "button",
        class: cls,
        disabled: !signedIn,
        "aria-pressed": mark === status ? "true" : "false",
        dataset: { mark: status },
        onclick: () => markQuestion(question, status),
      },
      label,
    );
  put(
    section,
    h("h2", { id: "question-title", tabindex: "-1", html: renderInline(question.title) }),
    h(
      "p",
      { class: "meta" },
      h("span", { class: `badge ${question.difficulty}` }, question.difficulty),
      ...question.tags.map((tag) => h("span", { class: "tag" }, tag)),
    ),
    h("div", { class: "markdown prompt", html: renderMarkdown(question.prompt, { headingOffset: 2, minHeading: 4 }) }),
    h("div", { class: "actions mark-actions" }, markButton("got_it", "✓ Got it", "primary"), markButton("learning", "Still learning")),
    signedIn ? null : h("p", { class: "hint" }, "Log in to mark questions and fill in your roadmap."),
    h("h3", {}, "Answer"),
    h("div", { class: "markdown answer", html: renderMarkdown(question.answer, { headingOffset: 1, minHeading: 4 }) }),
  );
}

async function markQuestion(question, status) {
  const buttons = document.querySelectorAll(".mark-actions button");
  buttons.forEach((button) => (button.disabled = true));
  try {
    await state.api.markQuestion(question.id, status);
    state.marks.set(question.id, status);
    await loadRoadmap(state.roadmap.slug);
    renderRoadmap();
    renderTopic();
    renderQuestion();
    const topic = [...state.roadmap.stages.flatMap((s) => s.topics), ...state.roadmap.electives].find(
      (t) => t.slug === question.topic.slug,
    );
    const fill = topic?.progress ? ` ${topic.title} is now ${topic.progress.percent}% filled.` : "";
    announce(`Marked “${question.title.replace(/`/g, "")}” as ${MARK_LABELS[status]}.${fill}`);
  } catch (err) {
    reportError(err);
    renderQuestion();
  }
}

// ------------------------------------------------------------------ account

function renderAccount() {
  const account = state.api.account;
  $("account").hidden = !account;
  $("auth-form").hidden = Boolean(account);
  $("account-name").textContent = account ? account.display_name : "";
}

async function onAuthSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const action = event.submitter?.value ?? "login";
  const email = $("email").value.trim();
  const password = $("password").value;
  const displayName = $("display-name").value.trim() || email.split("@")[0];
  $("auth-error").textContent = "";
  form.querySelectorAll("button").forEach((button) => (button.disabled = true));
  try {
    if (action === "forgot") {
      await state.api.requestPasswordReset(email);
      announce(`If ${email} has an account, a link to choose a new password is on its way.`);
      return;
    }
    if (action === "register") {
      await state.api.register(email, password, displayName);
      $("password").value = "";
      announce(`Check your inbox: the link we sent to ${email} finishes signing up.`);
      return;
    }
    await state.api.login(email, password);
    $("password").value = "";
    announce(`Signed in as ${state.api.account.display_name}.`);
  } catch (err) {
    $("auth-error").textContent = err instanceof ApiError ? err.message : `Could not reach the API: ${err.message}`;
  } finally {
    form.querySelectorAll("button").forEach((button) => (button.disabled = false));
  }
}

async function onSessionChange() {
  renderAccount();
  if (!state.roadmap) return;
  try {
    await loadRoadmap(state.roadmap.slug);
    renderRoadmap();
    renderQuestion();
  } catch (err) {
    reportError(err);
  }
}

// ------------------------------------------------------------------ start

/**
 * The page is also where the links in the service's mails land
 * (`STUDYTRACK_APP_URL/<action>?token=…`): a sign-up, an address to verify, a
 * password reset, an address change and a reminder unsubscribe. The address bar goes back to the page itself at
 * once, so a reload does not try a used link again.
 */
async function followMailedLink() {
  const action = location.pathname.split("/").pop();
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const api = params.get("api");
  if (!["verify-email", "verify-address", "reset-password", "confirm-email", "unsubscribe"].includes(action)) return;
  history.replaceState(null, "", `./${api ? `?api=${encodeURIComponent(api)}` : ""}${location.hash}`);
  if (!token) return;
  const failed = (err) =>
    announce(err instanceof ApiError ? err.message : `Could not reach the API: ${err.message}`, "error");
  try {
    if (action === "verify-email") {
      await state.api.confirmRegistration(token);
      announce(`Welcome, ${state.api.account.display_name}: your account is ready and you are signed in.`);
    } else if (action === "verify-address") {
      await state.api.confirmEmailVerification(token);
      announce("Your address is verified.");
    } else if (action === "confirm-email") {
      await state.api.confirmEmailChange(token);
      announce("Your new address is confirmed; log in with it.");
    } else if (action === "unsubscribe") {
      await state.api.unsubscribeReminders(token);
      announce("Study reminders are off. You can turn them on again in your settings.");
    } else {
      showResetForm(token);
    }
  } catch (err) {
    failed(err);
  }
}

function showResetForm(token) {
  const form = $("reset-form");
  form.hidden = false;
  $("new-password").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("reset-error").textContent = "";
    try {
      await state.api.confirmPasswordReset(token, $("new-password").value);
      form.hidden = true;
      announce("Your password is changed and every session ended; log in with the new one.");
    } catch (err) {
      $("reset-error").textContent = err instanceof ApiError ? err.message : `Could not reach the API: ${err.message}`;
    }
  });
}

async function start() {
  let base;
  try {
    base = apiBase(location);
  } catch (err) {
    announce(err.message, "error");
    return;
  }
  state.api = new Api(base, sessionStorage);
  $("docs-link").href = `${base}/docs/`;
  let accountId = state.api.account?.id ?? null;
  state.api.onSessionChange((session) => {
    // A refresh keeps the account; only a different learner (or none) drops the marks.
    const next = session?.account.id ?? null;
    if (next !== accountId) state.marks.clear();
    accountId = next;
    onSessionChange();
  });
  $("auth-form").addEventListener("submit", onAuthSubmit);
  $("logout").addEventListener("click", async () => {
    await state.api.logout();
    announce("Signed out.");
  });
  $("track-select").addEventListener("change", (event) => {
    location.hash = hrefFor(event.target.value);
  });
  window.addEventListener("hashchange", () => route());
  renderAccount();
  await followMailedLink();

  try {
    state.tracks = (await state.api.tracks()).items;
  } catch (err) {
    reportError(err);
    return;
  }
  $("track-select").replaceChildren(...state.tracks.map((t) => h("option", { value: t.slug }, t.title)));
  $("track-select").disabled = false;
  await route({ focus: false });
  document.body.dataset.ready = "true";
}

start();
