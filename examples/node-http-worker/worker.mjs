#!/usr/bin/env node
// A GoWork worker in plain Node.js (20 or newer), with no dependencies: it registers with the
// coordinator, proves it holds the shared secret, takes work over HTTP, runs `handle` and sends the
// result. Everything it does is in docs/protocol.md (sections 1, 2b and 3).
//
//   GOWORK_COORDINATOR_URL=http://127.0.0.1:8080 GOWORK_SECRET=... GOWORK_QUEUE=default node worker.mjs
//
// The secret comes from GOWORK_SECRET, or from the file named by GOWORK_SECRET_FILE (as for `gowork worker`:
// at most 64 KiB, one trailing newline dropped). Stop it with Ctrl-C (or SIGTERM): it finishes the work it
// holds, then exits.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

const url = (process.env.GOWORK_COORDINATOR_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const secret = readSecret();
const queue = process.env.GOWORK_QUEUE ?? 'default';

/** GOWORK_SECRET, or the file GOWORK_SECRET_FILE names; a mistake stops the worker with exit code 2. */
function readSecret() {
  const stop = (why) => {
    console.error(`worker.mjs: ${why}`);
    process.exit(2);
  };
  let value = process.env.GOWORK_SECRET || undefined;
  const file = process.env.GOWORK_SECRET_FILE || undefined;
  if (value !== undefined && file !== undefined) stop('set GOWORK_SECRET or GOWORK_SECRET_FILE, not both');
  if (file !== undefined) {
    try {
      if (statSync(file).size > 65536) stop(`GOWORK_SECRET_FILE '${file}' is over 64 KiB; it should hold only the secret`);
      value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      stop(`GOWORK_SECRET_FILE '${file}' cannot be read: ${e.code ?? e.message}`);
    }
  }
  if (value === undefined) stop('set GOWORK_SECRET, or GOWORK_SECRET_FILE to a file holding it (the coordinator\'s secret)');
  if (value.length < 32 || value.length > 4096) {
    stop(`the secret (${file === undefined ? 'GOWORK_SECRET' : 'GOWORK_SECRET_FILE'}) must be 32 to 4,096 characters; `
      + `it has ${value.length}`);
  }
  return value;
}

/** The work itself: replace this. Whatever it returns is the result; whatever it throws, the error. */
async function handle(data) {
  if (typeof data?.fail === 'string') {
    throw new Error(data.fail);
  }
  if (typeof data?.text === 'string') {
    return { words: data.text.split(/\s+/).filter(Boolean).length, by: 'node' };
  }
  return { echo: data, by: 'node' };
}

const hmac = (key, message) => createHmac('sha256', key).update(message, 'utf8').digest('base64');
const sameText = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A mistake that trying again cannot mend (a wrong secret, a refused queue): the worker stops with exit code 2. */
class Fatal extends Error {}

let session = null; // { workerId, sessionKey, expiresAt }
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { stopping = true; });
}

async function call(method, path, body, headers = {}) {
  let res;
  try {
    res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause
    throw new Error(`cannot reach the coordinator at ${url} (GOWORK_COORDINATOR_URL): ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after') };
}

/** Section 1: register, check that the coordinator holds the secret too, answer the challenge. */
async function verify() {
  const reg = await call('POST', '/v1/workers', { queue, name: 'node-http-worker' });
  if (reg.status !== 201) throw new Error(`registration answered ${reg.status}: ${JSON.stringify(reg.json)}`);
  const { workerId, challenge } = reg.json;
  if (!sameText(challenge, hmac(secret, `gowork-challenge:v1\n${workerId}`))) {
    throw new Fatal(`the challenge from ${url} was not made with this GOWORK_SECRET: the secrets differ `
      + '(or that is not a GoWork coordinator); not answering it');
  }
  const ver = await call('POST', `/v1/workers/${encodeURIComponent(workerId)}/verify`,
    { response: hmac(secret, `gowork-verify:${workerId}:${challenge}`) });
  if (ver.status !== 200) throw new Error(`verification answered ${ver.status}: ${JSON.stringify(ver.json)}`);
  session = { workerId, sessionKey: ver.json.sessionKey, expiresAt: Date.parse(ver.json.expiresAt) };
  console.log(`worker.mjs: verified as ${workerId} for queue '${queue}' until ${ver.json.expiresAt}`);
}

const auth = () => ({ 'x-gowork-worker-id': session.workerId, authorization: `Bearer ${session.sessionKey}` });

/** Section 3 over HTTP: the coordinator signs and publishes it. */
async function sendResult(work, outcome) {
  const body = { workId: work.workId, attempt: work.attempt, ...outcome };
  const res = await call('POST', `/v1/work/${encodeURIComponent(work.workId)}/result`, body, auth());
  if (res.status !== 202) {
    console.error(`worker.mjs: result for ${work.workId} answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
}

async function runOne(work) {
  if (Date.parse(work.deadline) <= Date.now()) {
    return sendResult(work, { status: 'timed_out', error: 'deadline passed before it ran' });
  }
  const started = Date.now();
  try {
    const result = await handle(work.data);
    await sendResult(work, { status: 'completed', result: result ?? null, durationMs: Date.now() - started });
  } catch (e) {
    await sendResult(work, { status: 'failed', error: String(e?.message ?? e), durationMs: Date.now() - started });
  }
}

/** Section 2b: take work until stopped; verify again before the session ends and after a 401. */
async function main() {
  let idle = 100;
  while (!stopping) {
    try {
      if (session === null || Date.now() > session.expiresAt - 60_000) await verify();
      const next = await call('POST', `/v1/work/next?queue=${encodeURIComponent(queue)}`, undefined, auth());
      if (next.status === 200) {
        idle = 100;
        await runOne(next.json);
      } else if (next.status === 204) {
        await sleep(idle);
        idle = Math.min(idle * 2, 1000);
      } else if (next.status === 401) {
        session = null;
      } else if (next.status === 400 || next.status === 409) {
        // a bad queue name, or a new queue past the coordinator's GOWORK_MAX_QUEUES: asking again cannot mend it
        throw new Fatal(`asking for work of queue '${queue}' answered ${next.status}: ${next.json?.error ?? ''}`);
      } else {
        if (next.status !== 503 && next.status !== 429) {
          console.error(`worker.mjs: asking for work answered ${next.status}: ${JSON.stringify(next.json)}`);
        }
        await sleep(1000 * Number(next.retryAfter ?? 1));
      }
    } catch (e) {
      if (e instanceof Fatal) {
        console.error(`worker.mjs: ${e.message}`);
        process.exit(2);
      }
      console.error(`worker.mjs: ${e.message}; trying again in 1 s`);
      await sleep(1000);
    }
  }
  console.log('worker.mjs: stopped');
}

await main();
