/**
 * Studying with the network off. Reviews rated offline go to a queue in IndexedDB, each
 * with the time it happened and a client-made review id, and are sent with
 * `POST /me/sync` when the browser is back online (a batch is safe to send again: a
 * review applies once by its id). The cards come from the last due list fetched and the
 * track bundle (`GET /tracks/{track}/bundle`), both kept in IndexedDB.
 */
import { api, must } from "./api";
import type { Schemas } from "./api";

type SyncEvent = Schemas["SyncEvent"];

const DB = "studytrack-app";
const STORE = "kv";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is not available"));
  });
}

let db: Promise<IDBDatabase> | null = null;

async function tx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  db ??= open();
  const store = (await db).transaction(STORE, mode).objectStore(STORE);
  return new Promise((resolve, reject) => {
    const request = run(store);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

export async function idbGet<T>(key: string): Promise<T | undefined> {
  return (await tx("readonly", (s) => s.get(key))) as T | undefined;
}

export async function idbSet(key: string, value: unknown): Promise<void> {
  await tx("readwrite", (s) => s.put(value, key));
}

let queued = 0;
/** Serialises queue changes (rating while a sync is in flight). */
let lock: Promise<unknown> = Promise.resolve();

function locked<T>(run: () => Promise<T>): Promise<T> {
  const next = lock.then(run, run);
  lock = next.catch(() => undefined);
  return next;
}

function announce(count: number): void {
  queued = count;
  window.dispatchEvent(new Event("studytrack:queue"));
}

export function queuedCount(): number {
  return queued;
}

export async function loadQueue(): Promise<SyncEvent[]> {
  const events = (await idbGet<SyncEvent[]>("queue")) ?? [];
  queued = events.length;
  return events;
}

export function enqueue(event: SyncEvent): Promise<void> {
  return locked(async () => {
    const events = await loadQueue();
    events.push(event);
    await idbSet("queue", events);
    announce(events.length);
  });
}

/** Sends the queue; null when there was nothing to send, else a sentence for the learner. */
export function flushQueue(): Promise<string | null> {
  return locked(async () => {
    const events = await loadQueue();
    if (events.length === 0) return null;
    const batch = events.slice(0, 500);
    const { results } = await must(api.POST("/api/v1/me/sync", { body: { events: batch } }));
    const rest = events.slice(batch.length);
    await idbSet("queue", rest);
    announce(rest.length);
    const count = (status: Schemas["EventStatus"]) => results.filter((r) => r.status === status).length;
    const rejected = results.filter((r) => r.status === "rejected").map((r) => r.problem?.detail ?? r.problem?.title ?? "rejected");
    const parts = [`${count("applied")} applied`];
    if (count("duplicate") > 0) parts.push(`${count("duplicate")} already there`);
    if (count("superseded") > 0) parts.push(`${count("superseded")} superseded by another device`);
    if (rejected.length > 0) parts.push(`${rejected.length} rejected (${rejected.join("; ")})`);
    return `Synced ${batch.length} offline review${batch.length === 1 ? "" : "s"}: ${parts.join(", ")}.`;
  });
}

/** Keeps the track's bundle (content for offline study) in IndexedDB, revalidated by ETag. */
export async function cacheBundle(track: string): Promise<Schemas["TrackBundle"]> {
  const bundle = await must(api.GET("/api/v1/tracks/{track}/bundle", { params: { path: { track } } }));
  await idbSet(`bundle:${track}`, bundle);
  return bundle;
}

export async function offlineBundle(track: string): Promise<Schemas["TrackBundle"] | undefined> {
  return idbGet<Schemas["TrackBundle"]>(`bundle:${track}`);
}

void loadQueue().then(() => window.dispatchEvent(new Event("studytrack:queue")), () => undefined);
