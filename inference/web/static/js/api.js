// Thin fetch wrappers for the inference API. Paths are relative to the page, so the page
// also works behind a path prefix (an ingress serving it at /riskmodel/). Every call has a
// timeout so a hung server shows as unreachable instead of freezing a panel.

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

async function readJson(response) {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return { error: `unexpected response body (HTTP ${response.status})` };
  }
}

/** GET a JSON resource; resolves {status, ok, body}; rejects only when unreachable. */
export async function getJson(path, timeoutMs = 3000) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, ok: response.ok, body: await readJson(response) };
}

/**
 * The server's example patients: {healthy, critical, patients}, with `count` random ward
 * patients from the generator the model was trained on. Rejects when unreachable or refused.
 */
export async function getExamples(count = 0) {
  const { ok, status, body } = await getJson(`examples?count=${count}`, 10_000);
  if (!ok || !Array.isArray(body?.patients)) throw new Error(`GET /examples answered HTTP ${status}${body?.error ? `: ${body.error}` : ''}`);
  return body;
}

/** POST one patient to /predict; resolves {status, ok, body} (body is the prediction or the error). */
export async function postPredict(vitals, timeoutMs = 5000) {
  const response = await fetch('predict', {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(vitals),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, ok: response.ok, body: await readJson(response) };
}

/**
 * The load test's request: POST /predict and drain the body (so the connection is
 * reused), resolving {ok, status} without parsing. Rejects on network failure or abort.
 */
export async function sendPredict(body, signal) {
  const response = await fetch('predict', { method: 'POST', headers: JSON_HEADERS, body, signal });
  await response.arrayBuffer();
  return { ok: response.ok, status: response.status };
}
