// The few studytrack calls the demo page makes, with the session handling every client
// needs: a bearer token on learner calls, one refresh-and-retry on a 401 (access tokens
// live 15 minutes; refresh tokens rotate), and errors read from problem+json bodies.

/**
 * Where the API lives: same origin by default (the service serves this page at
 * /demo/), or `?api=http://host:port` when the page comes from another static server.
 */
export function apiBase(location) {
  const requested = new URL(location.href).searchParams.get("api");
  if (!requested) return "";
  const url = new URL(requested);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`?api must be an http(s) address, not ${requested}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

/** A failed call, carrying what the problem document said. */
export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors ?? []).map((e) => `${e.field}: ${e.message}`);
    super(fields.length > 0 ? fields.join("; ") : problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function readBody(response) {
  const type = response.headers.get("content-type") ?? "";
  if (response.status === 204 || !/json/.test(type)) return null;
  return response.json();
}

export class Api {
  constructor(base, storage) {
    this.base = base;
    this.storage = storage;
    this.key = `studytrack.session:${base || "same-origin"}`;
    this.listeners = new Set();
    try {
      this.session = JSON.parse(storage.getItem(this.key) ?? "null");
    } catch {
      this.session = null;
    }
    this.refreshing = null;
  }

  /** Called with the session (or null) whenever it changes. */
  onSessionChange(listener) {
    this.listeners.add(listener);
  }

  get account() {
    return this.session?.account ?? null;
  }

  setSession(tokens) {
    this.session = tokens
      ? { access_token: tokens.access_token, refresh_token: tokens.refresh_token, account: tokens.account }
      : null;
    if (this.session) this.storage.setItem(this.key, JSON.stringify(this.session));
    else this.storage.removeItem(this.key);
    for (const listener of this.listeners) listener(this.session);
  }

  async send(method, path, { body, auth = false } = {}) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && this.session) headers.Authorization = `Bearer ${this.session.access_token}`;
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Revalidate with the ETag every time: progress changes under the same URL.
      cache: "no-cache",
    });
    return { response, data: await readBody(response) };
  }

  /**
   * One call. With `auth`, a 401 triggers one refresh and one retry; if the refresh
   * fails too the session is over and the caller sees the 401.
   */
  async call(method, path, options = {}) {
    let { response, data } = await this.send(method, path, options);
    if (response.status === 401 && options.auth && this.session && (await this.refresh())) {
      ({ response, data } = await this.send(method, path, options));
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /** Exchanges the refresh token once, however many calls failed at the same time. */
  refresh() {
    if (!this.refreshing) {
      const token = this.session?.refresh_token;
      this.refreshing = this.send("POST", "/auth/refresh", { body: { refresh_token: token } })
        .then(({ response, data }) => {
          this.setSession(response.ok ? data : null);
          return response.ok;
        })
        .catch(() => false)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  async login(email, password) {
    this.setSession(await this.call("POST", "/auth/login", { body: { email, password } }));
  }

  /** Signing up answers 202: the account exists once the mailed link is followed. */
  register(email, password, displayName) {
    return this.call("POST", "/auth/register", { body: { email, password, display_name: displayName } });
  }

  /** The mailed link's token makes the account and signs it in. */
  async confirmRegistration(token) {
    this.setSession(await this.call("POST", "/auth/register/confirm", { body: { token } }));
  }

  /** Always 202: a link is mailed if the address has an account. */
  requestPasswordReset(email) {
    return this.call("POST", "/auth/password-reset", { body: { email } });
  }

  confirmPasswordReset(token, newPassword) {
    return this.call("POST", "/auth/password-reset/confirm", { body: { token, new_password: newPassword } });
  }

  confirmEmailVerification(token) {
    return this.call("POST", "/auth/email-verification/confirm", { body: { token } });
  }

  confirmEmailChange(token) {
    return this.call("POST", "/auth/email-change/confirm", { body: { token } });
  }

  unsubscribeReminders(token) {
    return this.call("POST", `/reminders/unsubscribe?token=${encodeURIComponent(token)}`);
  }

  async logout() {
    const token = this.session?.refresh_token;
    this.setSession(null);
    if (token) await this.call("POST", "/auth/logout", { body: { refresh_token: token } }).catch(() => {});
  }

  tracks() {
    return this.call("GET", "/tracks");
  }

  /** With a session the roadmap carries `progress` on the track, its stages and topics. */
  roadmap(track) {
    return this.call("GET", `/tracks/${encodeURIComponent(track)}`, { auth: true });
  }

  topic(track, topic) {
    return this.call("GET", `/tracks/${encodeURIComponent(track)}/topics/${encodeURIComponent(topic)}`);
  }

  question(id) {
    return this.call("GET", `/questions/${encodeURIComponent(id)}`);
  }

  markQuestion(id, status) {
    return this.call("PUT", `/me/questions/${encodeURIComponent(id)}/status`, { body: { status }, auth: true });
  }
}
