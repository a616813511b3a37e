// The relay Function's own tests, under `node --test`, against the relay deployed on an
// emulator: the integration test `relay_function_tests_pass_under_node` deploys it and passes
// where it is by environment:
//   RELAY_BASE_URL      the callback base, with a trailing slash (`.../twilio-ivr/...` below it)
//   RELAY_API_BASE      the emulator's base URL (Sync at `${RELAY_API_BASE}/sync/v1`)
//   RELAY_SYNC_SERVICE  the relay's Sync Service SID
//   RELAY_ACCOUNT_SID, RELAY_AUTH_TOKEN  the account (the token signs the webhooks)
// Every webhook is signed as Twilio signs it (HMAC-SHA1 of the URL and the sorted form
// parameters, keyed by the auth token).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set`);
  return value;
};
const BASE = env('RELAY_BASE_URL');
const SYNC = `${env('RELAY_API_BASE').replace(/\/+$/, '')}/sync/v1/Services/${env('RELAY_SYNC_SERVICE')}`;
const ACCOUNT = env('RELAY_ACCOUNT_SID');
const TOKEN = env('RELAY_AUTH_TOKEN');
const AUTHORIZATION = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;

const newSession = () => `TS${randomBytes(16).toString('hex')}`;
const base64url = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');

function sign(url, params) {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', TOKEN).update(data).digest('base64');
}

// POSTs a webhook as Twilio would; `signature` overrides the valid one (null: none at all).
async function webhook(url, params, signature = sign(url, params)) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) });
  return { status: response.status, type: response.headers.get('content-type') || '', body: await response.text() };
}

async function sync(method, path, form) {
  const response = await fetch(`${SYNC}${path}`, {
    method,
    headers: { Authorization: AUTHORIZATION, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form && new URLSearchParams(form),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

const listName = (session) => `ivr-test-${session}`;

// The runner's side: the session's Sync List tells the relay about the call.
async function knownCall() {
  const session = newSession();
  const created = await sync('POST', '/Lists', { UniqueName: listName(session), Ttl: '600' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return session;
}

async function items(session) {
  const listed = await sync('GET', `/Lists/${listName(session)}/Items?Order=asc&PageSize=100`);
  assert.equal(listed.status, 200, JSON.stringify(listed.json));
  return listed.json.items.map((item) => item.data);
}

const call = (extra) => ({ AccountSid: ACCOUNT, CallSid: `CA${'1'.repeat(32)}`, ...extra });
const hookUrl = (hook, query) => `${BASE}twilio-ivr/${hook}?${query}`;

test('a forged or unsigned request is refused before the code runs', async () => {
  const session = await knownCall();
  const url = hookUrl('start', `cs=${session}`);
  const params = call({ CallStatus: 'in-progress' });
  assert.equal((await webhook(url, params, 'forged')).status, 401);
  assert.equal((await webhook(url, params, null)).status, 401);
  // Signed for other parameters: refused too.
  assert.equal((await webhook(url, call({ CallStatus: 'ringing' }), sign(url, params))).status, 401);
  assert.deepEqual(await items(session), []);
});

test('an event for a call the relay was not told about is ignored', async () => {
  const session = newSession();
  const start = await webhook(hookUrl('start', `cs=${session}`), call());
  assert.equal(start.status, 200);
  assert.equal(start.body, '<Response><Hangup/></Response>');
  assert.match(start.type, /^text\/xml/);
  const status = await webhook(hookUrl('status', `cs=${session}`), call({ CallStatus: 'completed' }));
  assert.equal(status.status, 200);
  assert.equal(status.body, '');
  assert.equal((await sync('GET', `/Lists/${listName(session)}`)).status, 404, 'no List was created');
});

test('a malformed session id is ignored: nothing is stored anywhere', async () => {
  const before = (await sync('GET', '/Lists?PageSize=100')).json.lists.length;
  const start = await webhook(hookUrl('next', 'cs=TS1234'), call({ SpeechResult: 'hello' }));
  assert.equal(start.body, '<Response><Hangup/></Response>');
  assert.equal((await sync('GET', '/Lists?PageSize=100')).json.lists.length, before);
});

test("a known call's start, next, partial and status are stored in order, one item each", async () => {
  const session = await knownCall();
  const g = base64url({ input: 'speech', timeout: '5' });
  const sent = [
    ['start', `cs=${session}&g=${g}`, call({ CallStatus: 'in-progress', From: '+15551230100' })],
    ['partial', `cs=${session}`, call({ UnstableSpeechResult: 'I want', SequenceNumber: '1' })],
    ['next', `cs=${session}&g=${g}`, call({ SpeechResult: 'I want sales', Confidence: '0.9' })],
    ['status', `cs=${session}`, call({ CallStatus: 'completed', CallDuration: '12' })],
  ];
  for (const [hook, query, params] of sent) {
    const answer = await webhook(hookUrl(hook, query), params);
    assert.equal(answer.status, 200, `${hook}: ${answer.body}`);
    if (hook === 'partial' || hook === 'status') assert.equal(answer.body, '', hook);
  }
  assert.deepEqual(
    await items(session),
    sent.map(([hook, , params]) => ({ hook, params })),
    'the form parameters, without cs and g'
  );
});

test("the listening Gather takes g's honoured attributes, escaped, and the exact callback URLs", async () => {
  const session = await knownCall();
  const g = base64url({
    input: 'speech',
    speechTimeout: '1',
    hints: 'sales & "billing" <now>',
    action: 'https://attacker.example/',
    statusCallback: 'https://attacker.example/',
    language: 'en-US',
    enhanced: true,
  });
  const answer = await webhook(hookUrl('start', `cs=${session}&g=${g}`), call());
  assert.match(answer.type, /^text\/xml/);
  assert.equal(
    answer.body,
    '<Response><Gather input="speech" speechTimeout="1" ' +
      'hints="sales &amp; &quot;billing&quot; &lt;now&gt;" language="en-US" ' +
      `action="${BASE}twilio-ivr/next?cs=${session}&amp;g=${g}" ` +
      `partialResultCallback="${BASE}twilio-ivr/partial?cs=${session}"/></Response>`
  );
});

test('without a valid g the Gather listens for speech and comes back on silence', async () => {
  const session = await knownCall();
  const expected =
    '<Response><Gather input="speech" actionOnEmptyResult="true" ' +
    `action="${BASE}twilio-ivr/next?cs=${session}" ` +
    `partialResultCallback="${BASE}twilio-ivr/partial?cs=${session}"/></Response>`;
  for (const query of [`cs=${session}`, `cs=${session}&g=not%20base64`, `cs=${session}&g=${base64url(['input'])}`]) {
    const answer = await webhook(hookUrl('next', query), call({ SpeechResult: '' }));
    assert.equal(answer.body, expected, query);
  }
  assert.equal((await items(session)).length, 3);
});
