// Runs the dashboard's script in Node against a live coordinator, on the smallest DOM it needs, and
// prints what the page would show after each step as one JSON object.
// Usage: node dashboard-harness.js <app.js> <base url> <right token> <work id> (and two dead letters listed)
'use strict';
const fs = require('fs');
const vm = require('vm');
const [scriptFile, base, token, workId] = process.argv.slice(2);

class Element {
  constructor(tag) {
    this.tag = tag; this.children = []; this.attributes = {}; this.listeners = {};
    this.text = ''; this.hidden = false; this.className = ''; this.parent = null;
  }
  set textContent(v) { this.children = []; this.text = String(v); }
  get textContent() { return this.text + this.children.map((c) => c.textContent).join(''); }
  get lastChild() { return this.children[this.children.length - 1]; }
  append(...nodes) { for (const n of nodes) { n.parent = this; this.children.push(n); } }
  replaceChildren(...nodes) { this.children = []; this.text = ''; this.append(...nodes); }
  replaceWith(node) {
    const siblings = this.parent.children;
    siblings[siblings.indexOf(this)] = node;
    node.parent = this.parent;
    if (this.parent.tBodies) this.parent.tBodies[0] = node;
  }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  addEventListener(type, f) { (this.listeners[type] ||= []).push(f); }
  dispatch(type) { for (const f of this.listeners[type] || []) f({ preventDefault() {} }); }
  rows() { return this.tBodies[0].children.map((tr) => tr.children.map((td) => td.textContent)); }
}

const ids = {};
for (const id of ['status', 'login', 'token', 'login-error', 'board', 'totals', 'rate-line', 'rate-caption',
  'work', 'work-id', 'lookup', 'logout']) ids[id] = new Element('div');
for (const id of ['queues', 'running', 'workers', 'dead', 'schedules']) {
  const table = new Element('table');
  table.append(new Element('tbody'));
  table.tBodies = [table.children[0]];
  ids[id] = table;
}
ids.board.hidden = true;
const document = new Element('document');
document.getElementById = (id) => ids[id];
document.createElement = (tag) => new Element(tag);
const storage = {};
const timers = new Set(); // the page's pending timers; they never fire here, the harness drives it
let nextTimer = 1;
let confirmAnswer = false;
let blockMetrics = false; // as an ingress that keeps /metrics from the outside
let cannedQueues = null; // when set, the answer to GET /v1/queues instead of the coordinator's
const confirmed = [];
// Requests and body reads under way: a step has settled when none is left. The page's reactions to an
// answer run as promise continuations, before the harness's next timer callback looks again.
let pending = 0;
const track = (promise) => {
  pending++;
  return promise.finally(() => { pending--; });
};
const tracked = (answer) => track(answer.then((response) => {
  for (const read of ['json', 'text']) {
    const original = response[read].bind(response);
    response[read] = () => track(original());
  }
  return response;
}));
const context = vm.createContext({
  window: { confirm: (text) => { confirmed.push(text); return confirmAnswer; } },
  document, Node: Element, console, Date, Math, Number, JSON, Object, Promise, Error, Map, String,
  sessionStorage: { getItem: (k) => storage[k] ?? null, setItem: (k, v) => { storage[k] = String(v); },
    removeItem: (k) => { delete storage[k]; } },
  fetch: (path, options) => tracked(blockMetrics && path === '/metrics'
    ? Promise.resolve(new Response('blocked', { status: 403 }))
    : cannedQueues && path === '/v1/queues' ? Promise.resolve(new Response(JSON.stringify(cannedQueues),
      { status: 200, headers: { 'Content-Type': 'application/json' } }))
      : fetch(base + path, options)),
  setTimeout: () => { timers.add(nextTimer); return nextTimer++; },
  clearTimeout: (id) => { timers.delete(id); },
});
vm.runInContext(fs.readFileSync(scriptFile, 'utf8'), context, { filename: 'app.js' });
document.dispatch('DOMContentLoaded');

const settle = async () => {
  do {
    await new Promise((resolve) => setTimeout(resolve, 10));
  } while (pending > 0);
};
const view = () => ({
  status: ids.status.textContent, loginShown: !ids.login.hidden, boardShown: !ids.board.hidden,
  loginError: ids['login-error'].hidden ? null : ids['login-error'].textContent,
  totals: ids.totals.children.map((card) => card.children.map((c) => c.textContent)),
  queues: ids.queues.rows(), running: ids.running.rows(), workers: ids.workers.rows(), dead: ids.dead.rows(),
  schedules: ids.schedules.rows(), tokenStored: storage['gowork-api-token'] ?? null,
});
(async () => {
  const out = {};
  ids.token.value = 'not-the-token-0123456789';
  ids.login.dispatch('submit');
  await settle();
  out.wrongToken = view();
  ids.token.value = token;
  ids.login.dispatch('submit');
  await settle();
  out.rightToken = view();
  out.timersAfterConnect = timers.size;
  document.dispatch('visibilitychange'); // two refreshes at once: the later one alone goes on polling
  document.dispatch('visibilitychange');
  await settle();
  out.timersAfterOverlap = timers.size;
  ids['work-id'].value = workId;
  ids.lookup.dispatch('submit');
  await settle();
  out.lookup = ids.work.textContent;
  ids['work-id'].value = 'no-such-work';
  ids.lookup.dispatch('submit');
  await settle();
  out.lookupMissing = { text: ids.work.textContent, className: ids.work.className };
  // A dead row's last cell holds its buttons: requeue, then delete.
  const buttons = (row) => ids.dead.tBodies[0].children[row].children[5].children[0].children;
  out.deadBefore = ids.dead.rows().map((cells) => cells[0]);
  buttons(0)[1].dispatch('click'); // delete, but the operator cancels
  await settle();
  out.afterCancel = { dead: ids.dead.rows().map((cells) => cells[0]), confirmed: confirmed.slice() };
  confirmAnswer = true;
  buttons(0)[1].dispatch('click');
  await settle();
  out.afterDelete = { status: ids.status.textContent, dead: ids.dead.rows().map((cells) => cells[0]) };
  buttons(0)[0].dispatch('click'); // requeue the other
  await settle();
  out.afterRequeue = { status: ids.status.textContent, dead: ids.dead.rows() };
  // A running row's last cell holds its cancel button (confirmAnswer is still yes).
  ids.running.tBodies[0].children[0].children[6].children[0].children[0].dispatch('click');
  await settle();
  out.afterCancelWork = { status: ids.status.textContent, running: ids.running.rows(), confirmed: confirmed.slice() };
  // An active worker's row ends with its revoke button; a pending one's with nothing.
  const revocable = ids.workers.tBodies[0].children.find((tr) => tr.children[6].children.length > 0);
  revocable.children[6].children[0].children[0].dispatch('click');
  await settle();
  out.afterRevoke = { status: ids.status.textContent, workers: ids.workers.rows(), confirmed: confirmed.slice() };
  // A queue row's last cell holds its pause button (confirmAnswer is still yes).
  const doomed = ids.queues.tBodies[0].children.find((tr) => tr.children[0].textContent === 'doomed');
  doomed.children[doomed.children.length - 1].children[0].children[0].dispatch('click');
  await settle();
  out.afterPause = { status: ids.status.textContent, queues: ids.queues.rows() };
  blockMetrics = true;
  document.dispatch('visibilitychange');
  await settle();
  out.metricsBlocked = view();
  // The waiting column for latencies the live coordinator cannot be made to show here.
  cannedQueues = { queues: Object.fromEntries([0, 99, 2150, 9999, 10000, 59999, 60000, 299999, 3600000, 172799999,
    172800000].map((ms) => ['q' + String(ms).padStart(9, '0'), { queued: 1, latencyMs: ms }])) };
  document.dispatch('visibilitychange');
  await settle();
  out.waiting = ids.queues.rows().map((cells) => cells[6]);
  cannedQueues = null;
  ids.logout.dispatch('click');
  out.loggedOut = view();
  out.timersAfterLogout = timers.size;
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.stack); process.exit(1); });
