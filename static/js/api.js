// The JSON API client: every call returns parsed JSON or throws an ApiError carrying the
// server's {"error": {"message", "field", "allowed"}} so the page can show it next to the control.

import { readableError } from "./field-labels.js";

export class ApiError extends Error {
  constructor(status, message, field = null, allowed = null, body = null) {
    super(message);
    this.status = status;
    this.field = field;
    this.allowed = allowed;
    this.body = body;  // the whole error answer (e.g. data uploads add "errors": [{row, reason}])
  }

  /** A plain sentence for the user: the field said with its control's label ("Batch size: 0 is
   * out of range (1 … 512)"), the allowed values once (field-labels.js). */
  describe() {
    let text = this.message;
    const rows = this.body?.errors || this.body?.error?.errors;
    if (Array.isArray(rows) && rows.length && !text.includes(rows[0].reason)) {
      text += ": " + rows.slice(0, 5).map((r) => `row ${r.row}: ${r.reason}`).join("; ") + (rows.length > 5 ? ` (and ${rows.length - 5} more)` : "");
    }
    return readableError(text, this.field, this.allowed);
  }
}

async function request(method, url, body, extra = {}) {
  const init = { method, headers: {}, ...extra };
  // Every request that changes something says it is JSON (the server refuses others), even a
  // DELETE without a body.
  if (method !== "GET") init.headers["Content-Type"] = "application/json";
  if (body !== undefined) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiError(0, `The server cannot be reached (${err.message}). Is it still running?`);
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `The server answered ${response.status} with something that is not JSON.`);
  }
  if (!response.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(response.status, e.message || `Request failed with status ${response.status}`, e.field ?? null, e.allowed ?? null, data);
  }
  return data;
}

export const api = {
  options: () => request("GET", "/api/options"),
  create: (body) => request("POST", "/api/sessions", body),
  get: (id, query) => request("GET", `/api/sessions/${id}${query ? `?${new URLSearchParams(query)}` : ""}`),
  patch: (id, body) => request("PATCH", `/api/sessions/${id}`, body),
  step: (id, body) => request("POST", `/api/sessions/${id}/step`, body),
  reset: (id, body) => request("POST", `/api/sessions/${id}/reset`, body),
  data: (id, body) => request("POST", `/api/sessions/${id}/data`, body),
  weights: (id, body) => request("PATCH", `/api/sessions/${id}/weights`, body),
  trace: (id, body) => request("POST", `/api/sessions/${id}/trace`, body),
  slice: (id, body) => request("POST", `/api/sessions/${id}/slice`, body),
  predict: (id, body) => request("POST", `/api/sessions/${id}/predict`, body),
  fork: (id, body) => request("POST", `/api/sessions/${id}/fork`, body),
  practice: (id, body) => request("POST", `/api/sessions/${id}/practice`, body),
  exercise: (body) => request("POST", "/api/practice/exercise", body),
  check: (body) => request("POST", "/api/practice/check", body),
  /** Under its first session's path, so a proxy takes it to the worker holding the sessions. */
  landscape: (body) => request("POST", `/api/sessions/${body.sessions[0]}/landscape`, body),
  lessons: () => request("GET", "/api/lessons"),
  lesson: (id) => request("GET", `/api/lessons/${encodeURIComponent(id)}`),
  /** keepalive: true lets the request outlive the page (pagehide). */
  remove: (id, { keepalive = false } = {}) => request("DELETE", `/api/sessions/${id}`, undefined, { keepalive }),
};
