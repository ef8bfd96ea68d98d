/**
 * A learner's whole journey through the API, made only with the client generated from
 * openapi/openapi.json: no hand-written request or response types, no casts. If the
 * document misdescribes the API, this file stops compiling (wrong types) or a step
 * fails (wrong status, media type or body shape, checked by `Contract`).
 *
 *   STUDYTRACK_URL=http://127.0.0.1:8080 node build/journey.js
 *
 * Prints one line per step; on the first failure it names the step and exits 1.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import createClient from "openapi-fetch";

import { Contract, ContractError, describe, expect } from "./contract.js";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

const TRACK = "python";

function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}

/** Every topic on the roadmap, stages first, then the electives. */
function topicsOf(roadmap: Schemas["Roadmap"]): Schemas["RoadmapTopic"][] {
  return [...roadmap.stages.flatMap((stage) => stage.topics), ...roadmap.electives];
}

function progressOf(roadmap: Schemas["Roadmap"], slug: string): Schemas["TopicProgress"] {
  const topic = topicsOf(roadmap).find((t) => t.slug === slug);
  expect(topic !== undefined, `topic ${slug} is not on the roadmap`);
  expect(topic.progress !== undefined, `topic ${slug} carries no progress`);
  return topic.progress;
}

/**
 * The token of the newest `path` link mailed to `to`, read from the folder the test
 * SMTP server files this server's mail in (`STUDYTRACK_MAILDIR`): the journey follows
 * the link a learner would click, not a backdoor.
 */
async function mailedToken(to: string, path: string): Promise<string> {
  const dir = process.env["STUDYTRACK_MAILDIR"] ?? "";
  expect(dir !== "", "set STUDYTRACK_MAILDIR to the folder the test SMTP server files the server's mail in");
  const deadline = Date.now() + 20_000;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")).sort().reverse() : [];
    for (const file of files) {
      // Quoted-printable soft breaks and `=3D` undone, so the link reads whole.
      const raw = readFileSync(join(dir, file), "utf8").replaceAll("=\r\n", "").replaceAll("=\n", "").replaceAll("=3D", "=");
      const addressed = raw.split(/\r?\n/).some((line) => line.toLowerCase() === `to: ${to.toLowerCase()}`);
      const link = raw.match(new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`));
      if (addressed && link?.[1] !== undefined) return link[1];
    }
    expect(Date.now() < deadline, `no ${path} link was mailed to ${to} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

class Journey {
  private count = 0;
  private readonly started = performance.now();

  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    this.count += 1;
    const began = performance.now();
    try {
      const result = await run();
      console.log(`ok ${this.count} - ${name} (${Math.round(performance.now() - began)} ms)`);
      return result;
    } catch (err) {
      const reason = err instanceof ContractError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`not ok ${this.count} - ${name}\n  ${reason.replaceAll("\n", "\n  ")}`);
      console.error(`journey: ${this.count - 1} passed, 1 failed`);
      process.exit(1);
    }
  }

  finish(): void {
    console.log(`journey: ${this.count} passed, 0 failed (${Math.round(performance.now() - this.started)} ms)`);
  }
}

async function main(): Promise<void> {
  const baseUrl = process.env["STUDYTRACK_URL"];
  if (baseUrl === undefined || baseUrl === "") {
    console.error("set STUDYTRACK_URL to a running server, e.g. http://127.0.0.1:8080");
    process.exit(2);
  }
  const api = createClient<paths>({ baseUrl });
  const contract = Contract.load(new URL("../../../openapi/openapi.json", import.meta.url));
  const journey = new Journey();

  const email = `journey-${randomUUID()}@example.com`;
  const password = `journey ${randomUUID()}`;

  await journey.step("GET /me without a token is a 401 problem", async () => {
    const { data, error, response } = await api.GET("/api/v1/me");
    contract.check("/api/v1/me", "get", response, data ?? error, 401);
    expect(response.headers.get("www-authenticate")?.startsWith("Bearer") === true, "401 without WWW-Authenticate: Bearer");
  });

  await journey.step("sign up with a unique email: 202, the next step is in the mail", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/register", {
      body: { email, password, display_name: "Journey Learner" },
    });
    contract.check("/api/v1/auth/register", "post", response, data ?? error, 202);
    expect(data !== undefined && data.detail !== "", "no explanation in the answer");
  });

  await journey.step("no account can log in before the mailed link is followed", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/login", { body: { email, password } });
    contract.check("/api/v1/auth/login", "post", response, data ?? error, 401);
  });

  const registered = await journey.step("follow the link mailed to the address", async () => {
    const token = await mailedToken(email, "verify-email");
    const { data, error, response } = await api.POST("/api/v1/auth/register/confirm", { body: { token } });
    contract.check("/api/v1/auth/register/confirm", "post", response, data ?? error, 201);
    expect(data !== undefined, "no token response");
    expect(data.account.email === email, `account email is ${data.account.email}`);
    expect(data.account.role === "learner", `a new account has role ${data.account.role}`);
    expect(data.account.email_verified, "following the link did not verify the address");
    return data;
  });

  const session = await journey.step("log in", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/login", { body: { email, password } });
    contract.check("/api/v1/auth/login", "post", response, data ?? error, 200);
    expect(data !== undefined, "no token response");
    expect(data.token_type === "Bearer", `token_type is ${data.token_type}`);
    expect(data.account.id === registered.account.id, "logged in as someone else");
    expect(response.headers.get("cache-control")?.includes("no-store") === true, "tokens without Cache-Control: no-store");
    return data;
  });
  const auth = bearer(session.access_token);

  await journey.step("list the tracks", async () => {
    const { data, error, response } = await api.GET("/api/v1/tracks");
    contract.check("/api/v1/tracks", "get", response, data ?? error, 200);
    expect(data !== undefined, "no track list");
    expect(data.items.some((t) => t.slug === TRACK), `no ${TRACK} track among ${data.items.map((t) => t.slug).join(", ")}`);
  });

  const readRoadmap = async () => {
    const { data, error, response } = await api.GET("/api/v1/tracks/{track}", {
      params: { path: { track: TRACK } },
      headers: auth,
    });
    contract.check("/api/v1/tracks/{track}", "get", response, data ?? error, 200);
    expect(data !== undefined, "no roadmap");
    expect(data.progress !== undefined, "the track carries no progress with a token");
    for (const stage of data.stages) {
      expect(stage.progress !== undefined, `stage ${stage.slug} carries no progress`);
    }
    return data;
  };

  const before = await journey.step(`read the ${TRACK} roadmap with progress`, async () => {
    const roadmap = await readRoadmap();
    expect(roadmap.stages.length > 0, "a roadmap without stages");
    for (const topic of topicsOf(roadmap)) {
      expect(progressOf(roadmap, topic.slug).fill === 0, `a new learner has fill on ${topic.slug}`);
    }
    return roadmap;
  });

  const topicSlug = before.stages[0]?.topics.find((t) => t.counts.questions > 0)?.slug;
  const topic = await journey.step("read the first topic", async () => {
    expect(topicSlug !== undefined, "the first stage has no topic with questions");
    const { data, error, response } = await api.GET("/api/v1/tracks/{track}/topics/{topic}", {
      params: { path: { track: TRACK, topic: topicSlug } },
    });
    contract.check("/api/v1/tracks/{track}/topics/{topic}", "get", response, data ?? error, 200);
    expect(data !== undefined, "no topic");
    expect(data.slug === topicSlug && data.track.slug === TRACK, `asked for ${TRACK}/${topicSlug}, got ${data.track.slug}/${data.slug}`);
    expect(data.questions.length > 0, "a topic without questions");
    return data;
  });

  const question = await journey.step("read a question's full answer", async () => {
    const first = topic.questions[0];
    expect(first !== undefined, "no question");
    const { data, error, response } = await api.GET("/api/v1/questions/{id}", { params: { path: { id: first.id } } });
    contract.check("/api/v1/questions/{id}", "get", response, data ?? error, 200);
    expect(data !== undefined, "no question");
    expect(data.id === first.id, "a different question came back");
    expect(data.answer.trim().length > 0, "an empty answer");
    expect(data.tracks.includes(TRACK), `question lists tracks ${data.tracks.join(", ")}`);
    return data;
  });

  await journey.step("mark the question got_it", async () => {
    const { data, error, response } = await api.PUT("/api/v1/me/questions/{id}/status", {
      params: { path: { id: question.id } },
      body: { status: "got_it" },
      headers: auth,
    });
    contract.check("/api/v1/me/questions/{id}/status", "put", response, data ?? error, 200);
    expect(data !== undefined, "no mark");
    expect(data.applied && data.status === "got_it" && data.question_id === question.id, `mark is ${describe(data)}`);
  });

  await journey.step("the roadmap fill changed", async () => {
    const after = await readRoadmap();
    const was = progressOf(before, topic.slug);
    const now = progressOf(after, topic.slug);
    expect(now.questions.got_it === was.questions.got_it + 1, `got_it went ${was.questions.got_it} -> ${now.questions.got_it}`);
    expect(now.fill > was.fill, `topic fill went ${was.fill} -> ${now.fill}`);
    expect(now.status === "learning", `topic status is ${now.status}`);
    const trackBefore = before.progress?.fill ?? 0;
    const trackAfter = after.progress?.fill ?? 0;
    expect(trackAfter > trackBefore, `track fill went ${trackBefore} -> ${trackAfter}`);
  });

  const attempt = await journey.step("create a practice quiz", async () => {
    const { data, error, response } = await api.POST("/api/v1/me/quizzes", {
      body: { scope: { track: TRACK }, size: 5, mode: "practice" },
      headers: auth,
    });
    contract.check("/api/v1/me/quizzes", "post", response, data ?? error, 201);
    expect(data !== undefined, "no attempt");
    expect(data.items.length === 5, `asked for 5 items, got ${data.items.length}`);
    expect(data.status === "open" && data.result === null, `a new attempt is ${data.status}`);
    return data;
  });

  await journey.step("submit the quiz and get it graded", async () => {
    const submit = () =>
      api.POST("/api/v1/me/quizzes/{id}/submission", {
        params: { path: { id: attempt.id } },
        body: { answers: attempt.items.map((item) => ({ position: item.position, selected: [0] })) },
        headers: auth,
      });
    const first = await submit();
    contract.check("/api/v1/me/quizzes/{id}/submission", "post", first.response, first.data ?? first.error, 200);
    expect(first.data !== undefined, "no result");
    expect(first.data.total === 5 && first.data.items.length === 5, `graded ${first.data.items.length} of 5 items`);
    expect(first.data.score >= 0 && first.data.score <= 5, `score ${first.data.score} out of range`);
    const again = await submit();
    contract.check("/api/v1/me/quizzes/{id}/submission", "post", again.response, again.data ?? again.error, 200);
    expect(again.data?.score === first.data.score, "submitting twice changed the result");
  });

  const due = await journey.step("get due flashcards", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/reviews/due", {
      params: { query: { track: TRACK, limit: 5 } },
      headers: auth,
    });
    contract.check("/api/v1/me/reviews/due", "get", response, data ?? error, 200);
    expect(data !== undefined, "no due list");
    const card = data.items[0];
    expect(card !== undefined, "a new learner has no cards to start");
    expect(card.state === "new", `a new learner's first card is ${card.state}`);
    return card;
  });

  await journey.step("review a flashcard (and retry it safely)", async () => {
    const body: Schemas["ReviewRequest"] = { review_id: randomUUID(), flashcard_id: due.flashcard.id, rating: "good" };
    const first = await api.POST("/api/v1/me/reviews", { body, headers: auth });
    contract.check("/api/v1/me/reviews", "post", first.response, first.data ?? first.error, 200);
    expect(first.data !== undefined, "no outcome");
    expect(first.data.flashcard_id === due.flashcard.id && first.data.rating === "good", `outcome is ${describe(first.data)}`);
    expect(Date.parse(first.data.due_at) > Date.now() - 60_000, `next due ${first.data.due_at} is in the past`);
    const retry = await api.POST("/api/v1/me/reviews", { body, headers: auth });
    contract.check("/api/v1/me/reviews", "post", retry.response, retry.data ?? retry.error, 200);
    expect(retry.data?.reps === first.data.reps && retry.data.due_at === first.data.due_at, "a retried review counted twice");
  });

  await journey.step("read track progress", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/tracks/{track}/progress", {
      params: { path: { track: TRACK } },
      headers: auth,
    });
    contract.check("/api/v1/me/tracks/{track}/progress", "get", response, data ?? error, 200);
    expect(data !== undefined, "no progress");
    expect(data.totals.questions_got_it === 1, `questions_got_it is ${data.totals.questions_got_it}`);
    const entry = data.stages.flatMap((s) => s.topics).find((t) => t.slug === topic.slug);
    expect(entry !== undefined && entry.progress.questions.got_it === 1, `topic ${topic.slug} shows ${describe(entry)}`);
  });

  await journey.step("read soft spots", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/tracks/{track}/soft-spots", {
      params: { path: { track: TRACK } },
      headers: auth,
    });
    contract.check("/api/v1/me/tracks/{track}/soft-spots", "get", response, data ?? error, 200);
    expect(data !== undefined, "no soft spots");
    for (const spot of data.items) {
      expect(spot.reasons.length > 0, `soft spot ${spot.topic.slug} without a reason`);
    }
  });

  await journey.step("read next up", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/tracks/{track}/next", {
      params: { path: { track: TRACK } },
      headers: auth,
    });
    contract.check("/api/v1/me/tracks/{track}/next", "get", response, data ?? error, 200);
    expect(data !== undefined, "no next-up");
    expect(data.topic !== null, `nothing next on a fresh track: ${data.reason_code}`);
    expect(data.questions.every((q) => q.id !== question.id), "next-up offers a question already got-it");
  });

  await journey.step("turn on daily study reminders", async () => {
    const { data, error, response } = await api.PUT("/api/v1/me/reminders", {
      body: { enabled: true, local_hour: 18, days: ["friday", "monday"] },
      headers: auth,
    });
    contract.check("/api/v1/me/reminders", "put", response, data ?? error, 200);
    expect(data !== undefined && data.enabled, "reminders are not on");
    expect(data.days.join() === "monday,friday", `days come back as ${data.days.join()}`);
  });

  await journey.step("read the summary a reminder is made from", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/summary", { headers: auth });
    contract.check("/api/v1/me/summary", "get", response, data ?? error, 200);
    expect(data !== undefined, "no summary");
    expect(data.streak.active_today, "marking a question today did not count as activity");
    const next = data.next_topics.find((n) => n.track.slug === TRACK);
    expect(next !== undefined, `no next topic for the started ${TRACK} track`);
  });

  // The offline leg: what a mobile app does on a train.
  const bundle = await journey.step(`download the ${TRACK} track for offline study`, async () => {
    const { data, error, response } = await api.GET("/api/v1/tracks/{track}/bundle", { params: { path: { track: TRACK } } });
    contract.check("/api/v1/tracks/{track}/bundle", "get", response, data ?? error, 200);
    expect(data !== undefined, "no bundle");
    expect(data.roadmap.slug === TRACK && data.topics.length > 0, "an empty bundle");
    expect(data.topics.every((t) => t.questions.every((q) => q.answer.length > 0)), "a question without its answer");
    return data;
  });

  await journey.step("study offline, then sync the queue (and safely send it again)", async () => {
    const held = bundle.topics.find((t) => t.flashcards.length > 0 && t.quiz_items.length > 0 && t.questions.length > 0);
    expect(held !== undefined, "no topic with flashcards, quiz items and questions");
    const [card, item, asked] = [held.flashcards[0], held.quiz_items[0], held.questions[0]];
    expect(card !== undefined && item !== undefined && asked !== undefined, "an empty topic");
    // Stamped moments ago: the account itself is only seconds old, and nothing may
    // predate it.
    const ago = (tenths: number) => new Date(Date.now() - tenths * 100).toISOString();
    const events: Schemas["SyncEvent"][] = [
      { type: "review", review_id: randomUUID(), flashcard_id: card.id, rating: "good", reviewed_at: ago(5) },
      { type: "note", kind: "question", id: asked.id, body: "Say *why*, not only *what*.", updated_at: ago(4) },
      {
        type: "quiz_submission", submission_id: randomUUID(), started_at: ago(3), submitted_at: ago(2),
        answers: [{ quiz_item_id: item.id, selected: [0] }],
      },
    ];
    for (const expected of ["applied", "duplicate"]) {
      const { data, error, response } = await api.POST("/api/v1/me/sync", { body: { events }, headers: auth });
      contract.check("/api/v1/me/sync", "post", response, data ?? error, 200);
      expect(data !== undefined, "no sync results");
      const statuses = data.results.map((r) => r.status);
      expect(statuses.every((s) => s === expected), `expected every event ${expected}, got ${describe(data.results)}`);
    }
  });

  await journey.step("pull the learner's changes since the start, and the track's since the download", async () => {
    const { data, error, response } = await api.GET("/api/v1/me/changes", { headers: auth });
    contract.check("/api/v1/me/changes", "get", response, data ?? error, 200);
    expect(data !== undefined, "no change feed");
    const kinds = new Set(data.changes.map((c) => c.kind));
    expect(kinds.has("card") && kinds.has("note"), `the feed lacks the synced card or note: ${[...kinds].join(", ")}`);
    const content = await api.GET("/api/v1/tracks/{track}/changes", {
      params: { path: { track: TRACK }, query: { since: bundle.changes_cursor } },
    });
    contract.check("/api/v1/tracks/{track}/changes", "get", content.response, content.data ?? content.error, 200);
    expect(content.data !== undefined && content.data.changes.length === 0, "content changed since the download");
  });

  const renewed = await journey.step("refresh the token", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/refresh", {
      body: { refresh_token: session.refresh_token },
    });
    contract.check("/api/v1/auth/refresh", "post", response, data ?? error, 200);
    expect(data !== undefined, "no token response");
    expect(data.refresh_token !== session.refresh_token, "the refresh token did not rotate");
    return data;
  });

  await journey.step("use the new access token", async () => {
    const { data, error, response } = await api.GET("/api/v1/me", { headers: bearer(renewed.access_token) });
    contract.check("/api/v1/me", "get", response, data ?? error, 200);
    expect(data?.id === registered.account.id, `the new token is for ${describe(data)}`);
  });

  await journey.step("log out", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/logout", {
      body: { refresh_token: renewed.refresh_token },
    });
    contract.check("/api/v1/auth/logout", "post", response, data ?? error, 204);
  });

  await journey.step("the logged-out refresh token no longer works", async () => {
    const { data, error, response } = await api.POST("/api/v1/auth/refresh", {
      body: { refresh_token: renewed.refresh_token },
    });
    contract.check("/api/v1/auth/refresh", "post", response, data ?? error, 401);
  });

  journey.finish();
}

await main();
