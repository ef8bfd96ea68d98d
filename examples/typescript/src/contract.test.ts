/**
 * Proof that `Contract` can fail: a checker that accepted everything would let the
 * journey pass against any server. Run with `node --test build/contract.test.js`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { Contract, ContractError } from "./contract.js";

const contract = Contract.load(new URL("../../../openapi/openapi.json", import.meta.url));

function reply(status: number, contentType: string | null): Response {
  const headers = new Headers();
  if (contentType !== null) {
    headers.set("content-type", contentType);
  }
  return new Response(null, { status, headers });
}

const mark = {
  question_id: "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11",
  status: "got_it",
  marked_at: "2026-11-24T12:00:00Z",
  applied: true,
};

test("a documented body passes", () => {
  contract.check("/api/v1/me/questions/{id}/status", "put", reply(200, "application/json"), mark, 200);
});

test("a missing required field fails", () => {
  const { applied: _, ...withoutApplied } = mark;
  assert.throws(
    () => contract.check("/api/v1/me/questions/{id}/status", "put", reply(200, "application/json"), withoutApplied, 200),
    (err) => err instanceof ContractError && err.message.includes("applied"),
  );
});

test("a value outside an enum fails, through a $ref", () => {
  assert.throws(
    () =>
      contract.check("/api/v1/me/questions/{id}/status", "put", reply(200, "application/json"), { ...mark, status: "done" }, 200),
    ContractError,
  );
});

test("a malformed uuid fails", () => {
  assert.throws(
    () =>
      contract.check("/api/v1/me/questions/{id}/status", "put", reply(200, "application/json"), { ...mark, question_id: "x" }, 200),
    ContractError,
  );
});

test("an unexpected status fails", () => {
  assert.throws(
    () => contract.check("/api/v1/me/questions/{id}/status", "put", reply(404, "application/problem+json"), undefined, 200),
    /expected 200, got 404/,
  );
});

test("an undocumented media type fails", () => {
  assert.throws(
    () => contract.check("/api/v1/me/questions/{id}/status", "put", reply(200, "text/plain"), mark, 200),
    /Content-Type/,
  );
});

test("an error body must be a problem document", () => {
  const problem = { type: "https://studytrack.dev/problems/not-found", title: "Not Found", status: 404, detail: "no such question" };
  contract.check("/api/v1/questions/{id}", "get", reply(404, "application/problem+json"), problem, 404);
  assert.throws(
    () => contract.check("/api/v1/questions/{id}", "get", reply(404, "application/problem+json"), { message: "nope" }, 404),
    ContractError,
  );
});

test("a body where none is documented fails", () => {
  contract.check("/api/v1/auth/logout", "post", reply(204, null), undefined, 204);
  assert.throws(() => contract.check("/api/v1/auth/logout", "post", reply(204, null), { ok: true }, 204), ContractError);
});
