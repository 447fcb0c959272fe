// The GoWork dashboard: reads the coordinator's HTTP API every few seconds with the operator's API
// token. Everything shown is set with textContent, never parsed as HTML: work data and error texts
// come from producers and workers.
'use strict';

(() => {
  const REFRESH_MS = 2000;
  const HISTORY = 150; // samples in the rate chart (5 minutes)
  const MAX_ROWS = 200;
  const TOKEN_KEY = 'gowork-api-token';
  const API = {
    queues: () => '/v1/queues',
    workers: () => '/v1/workers',
    running: () => '/v1/running?limit=' + MAX_ROWS,
    dead: () => '/v1/dead?limit=' + MAX_ROWS,
    metrics: () => '/metrics',
    work: (id) => '/v1/work/' + encodeURIComponent(id),
    requeue: (id) => '/v1/dead/' + encodeURIComponent(id) + '/requeue',
    discard: (id) => '/v1/dead/' + encodeURIComponent(id),
    cancel: (id) => '/v1/work/' + encodeURIComponent(id) + '/cancel',
    revoke: (id) => '/v1/workers/' + encodeURIComponent(id) + '/revoke',
    pause: (queue) => '/v1/queues/' + encodeURIComponent(queue) + '/pause',
    resume: (queue) => '/v1/queues/' + encodeURIComponent(queue) + '/resume',
    schedules: () => '/v1/schedules',
    unschedule: (name) => '/v1/schedules/' + encodeURIComponent(name),
    runNow: (name) => '/v1/schedules/' + encodeURIComponent(name) + '/run',
  };
  const TOTALS = [
    ['gowork_work_added_total', 'added'],
    ['gowork_work_completed_total', 'completed'],
    ['gowork_work_failed_total', 'failed attempts'],
    ['gowork_work_timed_out_total', 'timed out'],
    ['gowork_work_retried_total', 'retried'],
    ['gowork_work_dead_total', 'dead'],
    ['gowork_work_cancelled_total', 'cancelled'],
    ['gowork_results_rejected_total', 'results refused'],
    ['gowork_work_latency_seconds{outcome="completed",quantile="0.5"}', 'p50 add → complete', 'seconds'],
    ['gowork_work_latency_seconds{outcome="completed",quantile="0.99"}', 'p99 add → complete', 'seconds'],
  ];

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY) || '';
  let timer = null;
  let generation = 0; // each refresh takes a number; a later one (or a disconnect) makes it stale
  let previous = null; // {at, completed}
  let done = null; // {text, until}: the last requeue or delete, shown beside the refresh time for a while
  const rates = [];

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function call(method, path) {
    const response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
    });
    const type = response.headers.get('Content-Type') || '';
    const body = type.startsWith('application/json') ? await response.json() : await response.text();
    if (!response.ok) {
      const said = body && typeof body === 'object' && body.error ? body.error : response.statusText;
      throw new HttpError(response.status, response.status + ': ' + said);
    }
    return body;
  }

  /** Prometheus text → Map of 'name{labels}' → number. */
  function parseMetrics(text) {
    const values = new Map();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      if (space > 0) values.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return values;
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text === null ? '–' : String(text);
    if (className) e.className = className;
    return e;
  }

  function ago(iso) {
    if (!iso) return null;
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (Number.isNaN(seconds)) return iso;
    const abs = Math.abs(seconds);
    const span = abs < 120 ? abs + ' s' : abs < 7200 ? Math.round(abs / 60) + ' min' : Math.round(abs / 3600) + ' h';
    return seconds >= 0 ? span + ' ago' : 'in ' + span;
  }

  function number(n) {
    return Number.isFinite(n) ? Math.round(n).toLocaleString() : '–';
  }

  function fill(table, rows, columns, empty, more, total) {
    const body = $(table).tBodies[0];
    const fresh = document.createElement('tbody');
    if (rows.length === 0) noteRow(fresh, empty, columns);
    for (const cells of rows.slice(0, MAX_ROWS)) {
      const tr = el('tr');
      for (const c of cells) tr.append(c instanceof Node ? wrap(c) : el('td', c));
      fresh.append(tr);
    }
    const all = total === undefined ? rows.length : total;
    const shown = Math.min(rows.length, MAX_ROWS);
    if (all > shown) noteRow(fresh, 'showing ' + shown + ' of ' + number(all) + (more || ''), columns);
    body.replaceWith(fresh);
  }

  /** A row of one cell across the table: "none", or how many more there are. */
  function noteRow(tbody, text, columns) {
    const td = el('td', text, 'empty');
    td.colSpan = columns;
    const tr = el('tr');
    tr.append(td);
    tbody.append(tr);
  }

  function wrap(node) {
    const td = el('td');
    td.append(node);
    return td;
  }

  function showTotals(metrics) {
    const completed = metrics.get('gowork_work_completed_total') || 0;
    const cards = TOTALS.map(([key, label, unit]) => {
      const card = el('div', undefined, 'card');
      const value = metrics.get(key);
      let shown = number(value);
      if (unit === 'seconds') {
        // The quantiles cover the last ~2 minutes; 0 means nothing completed in that window.
        shown = completed > 0 && Number.isFinite(value) && value > 0
          ? (value * 1000).toFixed(value < 1 ? 1 : 0) + ' ms' : '–';
      }
      card.append(el('b', shown), el('span', label));
      return card;
    });
    $('totals').replaceChildren(...cards);

    const now = Date.now();
    if (previous && completed >= previous.completed) {
      rates.push((completed - previous.completed) / ((now - previous.at) / 1000));
      if (rates.length > HISTORY) rates.shift();
    }
    previous = { at: now, completed };
    const top = Math.max(1, ...rates);
    const step = 300 / (HISTORY - 1);
    const start = HISTORY - rates.length;
    $('rate-line').setAttribute('points',
      rates.map((r, i) => ((start + i) * step).toFixed(1) + ',' + (58 - (r / top) * 56).toFixed(1)).join(' '));
    const latest = rates.length ? rates[rates.length - 1] : 0;
    $('rate-caption').textContent = 'completed per second, last ' + Math.round(HISTORY * REFRESH_MS / 60000)
      + ' minutes: now ' + latest.toFixed(1) + ', peak ' + Math.max(0, ...rates).toFixed(1);
  }

  function showQueues(body) {
    const rows = Object.entries(body.queues || {}).sort(([a], [b]) => a.localeCompare(b))
      .map(([name, q]) => {
        const toggle = el('button', q.paused ? 'resume' : 'pause', q.paused ? undefined : 'danger');
        toggle.type = 'button';
        toggle.addEventListener('click', () => {
          if (q.paused) {
            act('POST', API.resume(name), 'resumed ' + name, [toggle]);
          } else if (window.confirm('Pause queue ' + name + '? No worker takes new work from it until it is resumed; '
              + 'work running now finishes.')) {
            act('POST', API.pause(name), 'paused ' + name, [toggle]);
          }
        });
        const actions = el('span', undefined, 'actions');
        actions.append(toggle);
        const paused = q.paused ? 'paused' + (q.pauseReason ? ': ' + q.pauseReason : '') : '';
        return [name, number(q.queued), number(q.running), number(q.retrying), number(q.scheduled), number(q.size),
          waited(q.latencyMs), paused, members(q.shareGroup), actions];
      });
    fill('queues', rows, 10, 'no queues yet');
  }

  /** How long a queue's oldest waiting work has waited, rounded down: '0 s', '2.1 s', '42 s', '4 min', '5 h', '3 d'. */
  function waited(ms) {
    if (!Number.isFinite(ms)) return null;
    if (ms <= 0) return '0 s';
    if (ms < 10000) return (Math.floor(ms / 100) / 10).toFixed(1) + ' s';
    if (ms < 60000) return Math.floor(ms / 1000) + ' s';
    if (ms < 3600000) return Math.floor(ms / 60000) + ' min';
    return ms < 172800000 ? Math.floor(ms / 3600000) + ' h' : Math.floor(ms / 86400000) + ' d';
  }

  /** A queue's share group against the brokers' limit: '3 / 200', '2 / 2 full' (with its warning), '–' before a count. */
  function members(group) {
    if (!group || !Number.isFinite(group.members)) return null;
    const limit = Number.isFinite(group.maxMembers) ? number(group.maxMembers) : 'unknown';
    const shown = el('span', number(group.members) + ' / ' + limit + (group.full ? ' full' : ''),
      group.full ? 'error' : undefined);
    if (group.full) shown.title = group.warning || 'full';
    return shown;
  }

  function showWorkers(body) {
    const rows = (body.workers || []).map((w) => {
      let actions = '';
      if (w.state === 'active') {
        const revoke = el('button', 'revoke', 'danger');
        revoke.type = 'button';
        revoke.addEventListener('click', () => {
          if (window.confirm('Revoke the session of ' + w.workerId + '? A GoWork replica verifies again at once; '
              + 'results signed with this session are refused.')) {
            act('POST', API.revoke(w.workerId), 'revoked ' + w.workerId, [revoke]);
          }
        });
        actions = el('span', undefined, 'actions');
        actions.append(revoke);
      }
      return [w.workerId, w.state, w.name || '–', ago(w.registeredAt), ago(w.lastSeen), ago(w.sessionExpiresAt),
        actions];
    });
    fill('workers', rows, 7, 'no workers registered');
  }

  function showRunning(body) {
    const rows = (body.items || []).map((item) => {
      const p = item.progress;
      const progress = p ? p.percent + ' %' + (p.message ? ' ' + p.message : '') : null;
      const stop = el('button', 'cancel', 'danger');
      stop.type = 'button';
      stop.addEventListener('click', () => {
        if (window.confirm('Cancel work ' + item.workId + '? Its worker is told to stop, and no result is kept.')) {
          act('POST', API.cancel(item.workId), 'cancelled ' + item.workId, [stop]);
        }
      });
      const actions = el('span', undefined, 'actions');
      actions.append(stop);
      // The name is the worker's own choice: shown as text, as everything else.
      const worker = item.workerName ? item.workerName + ' (' + item.workerId + ')' : item.workerId;
      return [item.workId, item.queue, worker, item.attempts + ' of ' + item.maxAttempts, progress,
        ago(item.updatedAt), actions];
    });
    fill('running', rows, 7, 'nothing reported running', '; GET /v1/running lists up to 10,000', body.total);
  }

  function showSchedules(body) {
    const rows = (body.schedules || []).map((s) => {
      const stop = el('button', 'delete', 'danger');
      stop.type = 'button';
      stop.addEventListener('click', () => {
        if (window.confirm('Delete schedule ' + s.name + '? It adds no more work; work it added stays.')) {
          act('DELETE', API.unschedule(s.name), 'deleted schedule ' + s.name, [stop]);
        }
      });
      const now = el('button', 'run now');
      now.type = 'button';
      now.addEventListener('click', () => act('POST', API.runNow(s.name), 'ran ' + s.name + ' by hand', [now, stop]));
      const actions = el('span', undefined, 'actions');
      actions.append(now, stop);
      const runs = s.cron ? s.cron + ' (' + s.zone + ')' : 'every ' + s.everySeconds + ' s';
      return [s.name, runs, s.queue, ago(s.lastRunAt), ago(s.nextRunAt), actions];
    });
    fill('schedules', rows, 6, 'none (gowork schedule set defines one)');
  }

  function showDead(body) {
    const rows = (body.items || []).map((item) => {
      const again = el('button', 'requeue');
      again.type = 'button';
      const discard = el('button', 'delete', 'danger');
      discard.type = 'button';
      again.addEventListener('click', () => act('POST', API.requeue(item.workId), 'requeued ' + item.workId, [again, discard]));
      discard.addEventListener('click', () => {
        if (window.confirm('Delete dead work ' + item.workId + ' for good? It can no longer be requeued.')) {
          act('DELETE', API.discard(item.workId), 'deleted ' + item.workId, [again, discard]);
        }
      });
      const actions = el('span', undefined, 'actions');
      actions.append(again, discard);
      return [item.workId, item.queue, item.attempts + ' of ' + item.maxAttempts, item.error, ago(item.updatedAt), actions];
    });
    fill('dead', rows, 6, 'none', '; gowork dead list shows up to 10,000', body.total);
  }

  /** A dead letter's requeue or delete, a cancel, a revocation, a queue's pause or resume, or a schedule's deletion; the buttons stay disabled until the list is refreshed. */
  async function act(method, path, what, buttons) {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await call(method, path);
      done = { text: what, until: Date.now() + 10000 };
      status(what);
      refresh();
    } catch (e) {
      buttons.forEach((b) => { b.disabled = false; });
      failed(e);
    }
  }

  function status(text, error) {
    $('status').textContent = text;
    $('status').className = error ? 'error' : '';
  }

  function failed(e) {
    if (e instanceof HttpError && e.status === 401) {
      disconnect('The coordinator refused this token (401).');
    } else {
      status('refresh failed: ' + e.message + ' (retrying)', true);
    }
  }

  async function refresh() {
    clearTimeout(timer);
    const mine = ++generation;
    if (!token) return;
    try {
      // /metrics is often kept from the outside at the ingress: the rest of the page goes on without it.
      const [queues, running, workers, dead, schedules, metrics] = await Promise.all([
        call('GET', API.queues()), call('GET', API.running()), call('GET', API.workers()), call('GET', API.dead()),
        call('GET', API.schedules()), call('GET', API.metrics()).catch(() => null)]);
      if (mine !== generation) return;
      showQueues(queues);
      showRunning(running);
      showWorkers(workers);
      showDead(dead);
      showSchedules(schedules);
      showTotals(parseMetrics(metrics === null ? '' : metrics));
      status('updated ' + new Date().toLocaleTimeString()
        + (metrics === null ? ' · totals unavailable (/metrics did not answer)' : '')
        + (done && Date.now() < done.until ? ' · ' + done.text : ''));
    } catch (e) {
      if (mine !== generation) return;
      failed(e);
    }
    if (token && mine === generation) timer = setTimeout(refresh, document.hidden ? REFRESH_MS * 5 : REFRESH_MS);
  }

  function connect(value) {
    token = value;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('login').hidden = true;
    $('board').hidden = false;
    $('login-error').hidden = true;
    status('connecting…');
    refresh();
  }

  function disconnect(why) {
    clearTimeout(timer);
    generation++;
    token = '';
    previous = null;
    rates.length = 0;
    sessionStorage.removeItem(TOKEN_KEY);
    $('board').hidden = true;
    $('login').hidden = false;
    $('token').value = '';
    $('login-error').textContent = why || '';
    $('login-error').hidden = !why;
    status('not connected');
  }

  async function lookup(id) {
    const out = $('work');
    out.className = '';
    try {
      out.textContent = JSON.stringify(await call('GET', API.work(id)), null, 2);
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) {
        failed(e);
        return;
      }
      out.className = 'error';
      out.textContent = e.message;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (event) => {
      event.preventDefault();
      connect($('token').value.trim());
    });
    $('lookup').addEventListener('submit', (event) => {
      event.preventDefault();
      lookup($('work-id').value.trim());
    });
    $('logout').addEventListener('click', () => disconnect());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && token) refresh();
    });
    if (token) connect(token);
  });
})();
