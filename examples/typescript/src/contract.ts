/**
 * The runtime half of the contract check. The compiler already holds every call to the
 * generated types; this module holds every *response* to the committed OpenAPI
 * document: the status is the one the step expects, the media type is the one the
 * document lists for that status, and the body validates against the documented
 * schema (JSON Schema 2020-12, which OpenAPI 3.1 uses). A server that drifts from its
 * document fails here even when the TypeScript still compiles.
 */
import { readFileSync } from "node:fs";

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";

import type { paths } from "./schema.js";

export type Method = "get" | "put" | "post" | "patch" | "delete";

/** A failed expectation; the journey prints its message with the step's name. */
export class ContractError extends Error {}

/** Fails with `message` unless `condition` holds. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new ContractError(message);
  }
}

/** The id the whole document is registered under, so `$ref`s into it resolve. */
const DOCUMENT_ID = "https://studytrack.invalid/openapi.json";

/** Walks parsed JSON by keys, giving `undefined` as soon as a step is missing. */
function dig(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== "object" || current === null || !(key in current)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** One JSON-pointer segment, escaped for use inside a URI fragment. */
function pointerSegment(key: string): string {
  return encodeURIComponent(key.replaceAll("~", "~0").replaceAll("/", "~1"));
}

/** The numeric formats utoipa writes; ajv-formats knows only the string ones. */
function addNumericFormats(ajv: Ajv2020): void {
  const integer = (bits: number) => (n: number) => Number.isSafeInteger(n) && Math.abs(n) <= 2 ** (bits - 1);
  ajv.addFormat("int32", { type: "number", validate: integer(32) });
  ajv.addFormat("int64", { type: "number", validate: integer(64) });
  ajv.addFormat("double", { type: "number", validate: Number.isFinite });
  ajv.addFormat("float", { type: "number", validate: Number.isFinite });
  // A write-only hint for UIs; any string is fine.
  ajv.addFormat("password", true);
}

export class Contract {
  private readonly ajv: Ajv2020;
  private readonly document: unknown;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(document: unknown) {
    this.document = document;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(this.ajv);
    addNumericFormats(this.ajv);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
  }

  static load(file: URL): Contract {
    return new Contract(JSON.parse(readFileSync(file, "utf8")));
  }

  /**
   * Asserts that `response` has status `expected` and that `body` (what openapi-fetch
   * parsed: `data` or `error`) is what the document says that status returns.
   */
  check(path: keyof paths, method: Method, response: Response, body: unknown, expected: number): void {
    const label = `${method.toUpperCase()} ${path}`;
    if (response.status !== expected) {
      throw new ContractError(`${label}: expected ${expected}, got ${response.status} ${describe(body)}`);
    }
    const documented = dig(this.document, "paths", path, method, "responses", String(expected));
    expect(documented !== undefined, `${label}: status ${expected} is not documented`);
    const content = dig(documented, "content");
    if (content === undefined) {
      expect(body === undefined || body === null, `${label}: documented without a body, but one came back`);
      return;
    }
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    expect(
      typeof content === "object" && content !== null && mediaType in content,
      `${label}: Content-Type ${JSON.stringify(mediaType)} is not one the document lists for ${expected}`,
    );
    const validate = this.validator(["paths", path, method, "responses", String(expected), "content", mediaType, "schema"]);
    if (!validate(body)) {
      const problems = this.ajv.errorsText(validate.errors, { separator: "; ", dataVar: "body" });
      throw new ContractError(`${label}: the ${expected} body does not match the document: ${problems}`);
    }
  }

  private validator(keys: string[]): ValidateFunction {
    const ref = `${DOCUMENT_ID}#/${keys.map(pointerSegment).join("/")}`;
    let validate = this.validators.get(ref);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}

/** A short rendering of a body for failure messages (problem details read well as JSON). */
export function describe(body: unknown): string {
  if (body === undefined) {
    return "(no body)";
  }
  const text = JSON.stringify(body);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
