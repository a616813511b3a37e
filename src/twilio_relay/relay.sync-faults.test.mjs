// The relay Function's code alone, with Sync stubbed (global `fetch` replaced): how it rides
// out Sync's faults, and its URLs on Twilio itself (no emulator bases in the context). Run with
// relay.test.mjs by the integration test `relay_function_tests_pass_under_node`; needs no
// network and no environment.

import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const relay = createRequire(import.meta.url)('./relay.js');

const SESSION = `TS${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'sync-faults-test-token';
const LISTENING_ON_TWILIO =
  '<Response><Gather input="speech" actionOnEmptyResult="true" ' +
  `action="https://ivr-test-relay-1234.twil.io/twilio-ivr/next?cs=${SESSION}" ` +
  `partialResultCallback="https://ivr-test-relay-1234.twil.io/twilio-ivr/partial?cs=${SESSION}"/></Response>`;

// A context as Twilio gives it: no TWILIO_API_BASE, no TWILIO_FUNCTIONS_BASE.
const context = (hook) => ({
  PATH: `/twilio-ivr/${hook}`,
  DOMAIN_NAME: 'ivr-test-relay-1234.twil.io',
  ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  AUTH_TOKEN: TOKEN,
  SYNC_SERVICE_SID: `IS${'b'.repeat(32)}`,
  IVR_TEST_RELAY_PROTOCOL: '1',
});

// The part of the Functions runtime the relay uses.
globalThis.Twilio = {
  Response: class {
    constructor() {
      this.statusCode = 200;
      this.headers = {};
      this.body = '';
    }
    setStatusCode(code) {
      this.statusCode = code;
    }
    appendHeader(name, value) {
      this.headers[name] = value;
    }
    setBody(body) {
      this.body = body;
    }
  },
};

let requests;
let errors;
const realFetch = globalThis.fetch;
const realError = console.error;

// Sync answers each request with the next of `statuses`.
function syncAnswers(...statuses) {
  globalThis.fetch = async (url, init) => {
    requests.push({ url, init });
    const status = statuses.shift() ?? 500;
    const body = status < 300 ? '{}' : JSON.stringify({ code: 20500, message: 'Internal Server Error' });
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
}

beforeEach(() => {
  requests = [];
  errors = [];
  console.error = (...parts) => errors.push(parts.join(' '));
});

afterEach(() => {
  globalThis.fetch = realFetch;
  console.error = realError;
});

function invoke(hook, event) {
  return new Promise((resolve, reject) => {
    relay.handler(context(hook), event, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

test("a Sync 503 or 429 is retried, and the third try stores the event in the call's List", async () => {
  syncAnswers(503, 429, 201);
  const answer = await invoke('start', { cs: SESSION, CallSid: 'CA1', request: { headers: {} } });
  assert.equal(answer.body, LISTENING_ON_TWILIO);
  assert.equal(requests.length, 3);
  for (const { url, init } of requests) {
    assert.equal(url, `https://sync.twilio.com/v1/Services/IS${'b'.repeat(32)}/Lists/ivr-test-${SESSION}/Items`);
    assert.equal(init.method, 'POST');
    const basic = Buffer.from(`AC${'a'.repeat(32)}:${TOKEN}`).toString('base64');
    assert.equal(init.headers.Authorization, `Basic ${basic}`);
    assert.deepEqual(JSON.parse(new URLSearchParams(init.body).get('Data')), {
      hook: 'start',
      params: { CallSid: 'CA1' },
    });
  }
  assert.deepEqual(errors, []);
});

test('Sync failing for good: the call keeps listening and the error is logged, never the token', async () => {
  syncAnswers(500, 500, 500);
  const answer = await invoke('next', { cs: SESSION, SpeechResult: 'hello' });
  assert.equal(answer.body, LISTENING_ON_TWILIO);
  assert.equal(requests.length, 3);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /storing a next event failed: HTTP 500: 20500 Internal Server Error/);
  assert.ok(!errors[0].includes(TOKEN));
});

test('Sync that does not answer is retried like a 5xx', async () => {
  globalThis.fetch = async (url, init) => {
    requests.push({ url, init });
    throw new TypeError('fetch failed');
  };
  const answer = await invoke('status', { cs: SESSION, CallStatus: 'completed' });
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.body, '');
  assert.equal(requests.length, 3);
  assert.match(errors[0], /no answer \(fetch failed\)/);
});

test('a refusal other than 429 is not retried', async () => {
  syncAnswers(400);
  await invoke('partial', { cs: SESSION, UnstableSpeechResult: 'hel' });
  assert.equal(requests.length, 1);
  assert.equal(errors.length, 1);
});
