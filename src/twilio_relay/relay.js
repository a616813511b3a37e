// The ivr-test relay, protocol 1 (docs/relay-protocol.md is the contract).
//
// A Twilio Function deployed four times, at /twilio-ivr/start, /next, /partial and /status, all
// `protected`: Twilio's platform checks X-Twilio-Signature before this code runs, so a forged
// request never gets here. For a call the runner told the relay about (it created the Sync List
// `ivr-test-{session id}`), each webhook becomes one item of that List, which the
// runner reads over REST; `start` and `next` answer at once with a listening <Gather> that keeps
// the call going until the runner's decision arrives through the live-call update.
//
// No npm dependencies: plain `fetch` (Node 18+) to Sync, and the runtime's `Twilio.Response`.
// Nothing secret is stored or answered: the account's credentials only sign the Sync request.

'use strict';

const PROTOCOL = 1;

const HOOKS = ['start', 'next', 'partial', 'status'];

// The runner's session id: `TS` and 32 lowercase hex digits.
const SESSION_ID = /^TS[0-9a-f]{32}$/;

// The call's Sync List is `ivr-test-{session id}` (a bare session id has the shape of a SID,
// which Sync refuses as a unique name).
const EVENT_LIST_PREFIX = 'ivr-test-';

// The listening <Gather>'s attributes a `g` parameter may set; anything else is dropped.
const GATHER_ATTRIBUTES = [
  'input',
  'timeout',
  'speechTimeout',
  'actionOnEmptyResult',
  'language',
  'hints',
  'speechModel',
  'enhanced',
  'profanityFilter',
  'numDigits',
  'finishOnKey',
];

// Without a valid `g`: listen for speech and come back even when nothing was said.
const DEFAULT_GATHER = [
  ['input', 'speech'],
  ['actionOnEmptyResult', 'true'],
];

// Waits before the second and third try of a Sync request answered 429 or 5xx (or not at all).
const RETRY_WAITS_MS = [100, 300];

// One try's limit: three tries and the waits stay well inside the Function's 10 s.
const TRY_LIMIT_MS = 2500;

const HANG_UP = '<Response><Hangup/></Response>';

exports.handler = async (context, event, callback) => {
  const hook = String(context.PATH || '').split('/').pop();
  const session = typeof event.cs === 'string' ? event.cs : '';
  const answersTwiml = hook === 'start' || hook === 'next';
  if (!HOOKS.includes(hook) || !SESSION_ID.test(session)) {
    // Not a request the runner asked for: nothing is stored.
    return callback(null, answersTwiml ? twiml(HANG_UP) : empty());
  }
  const stored = await append(context, session, { hook, params: webhookParams(event) });
  if (stored === 'unknown call') {
    return callback(null, answersTwiml ? twiml(HANG_UP) : empty());
  }
  // Stored, or failed for good (already logged): the call goes on listening either way, and
  // the runner notices a missing event.
  return callback(null, answersTwiml ? twiml(listening(context, session, event.g)) : empty());
};

// The webhook's parameters as strings (the first of a repeated one), without the relay's own
// query parameters and the runtime's `request`.
function webhookParams(event) {
  const params = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'cs' || name === 'g' || name === 'request') continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null || typeof first === 'object') continue;
    params[name] = String(first);
  }
  return params;
}

// Appends `data` to the Sync List of `session`: 'stored', 'unknown call' (no such List:
// Twilio's 404) or 'failed' (logged).
async function append(context, session, data) {
  const sync = context.TWILIO_API_BASE
    ? `${context.TWILIO_API_BASE.replace(/\/+$/, '')}/sync/v1`
    : 'https://sync.twilio.com/v1';
  const service = encodeURIComponent(context.SYNC_SERVICE_SID || '');
  const url = `${sync}/Services/${service}/Lists/${EVENT_LIST_PREFIX}${session}/Items`;
  const credentials = Buffer.from(`${context.ACCOUNT_SID}:${context.AUTH_TOKEN}`).toString('base64');
  const request = {
    method: 'POST',
    headers: {
      Authorization: `Basic ${credentials}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ Data: JSON.stringify(data) }).toString(),
  };
  let lastProblem = '';
  for (let attempt = 0; attempt <= RETRY_WAITS_MS.length; attempt++) {
    if (attempt > 0) await sleep(RETRY_WAITS_MS[attempt - 1]);
    let response;
    try {
      response = await fetch(url, { ...request, signal: AbortSignal.timeout(TRY_LIMIT_MS) });
    } catch (error) {
      lastProblem = `no answer (${error.message})`;
      continue;
    }
    if (response.ok) return 'stored';
    if (response.status === 404) return 'unknown call';
    lastProblem = `HTTP ${response.status}: ${await twilioMessage(response)}`;
    if (response.status !== 429 && response.status < 500) break;
  }
  console.error(`ivr-test relay ${PROTOCOL}: storing a ${data.hook} event failed: ${lastProblem}`);
  return 'failed';
}

// Twilio's error code and message from its JSON envelope, else the start of the body.
async function twilioMessage(response) {
  const text = await response.text().catch(() => '');
  try {
    const envelope = JSON.parse(text);
    return `${envelope.code} ${envelope.message}`;
  } catch (_) {
    return text.slice(0, 200);
  }
}

// `<Response><Gather .../></Response>` listening for the caller's next words, coming back to
// `next` (with the same `g`) and reporting interim results to `partial`.
function listening(context, session, g) {
  const base = (context.TWILIO_FUNCTIONS_BASE || `https://${context.DOMAIN_NAME}`).replace(/\/+$/, '');
  const spec = gatherSpec(g);
  const action = `${base}/twilio-ivr/next?cs=${session}` + (spec ? `&g=${g}` : '');
  const attributes = (spec || DEFAULT_GATHER).concat([
    ['action', action],
    ['partialResultCallback', `${base}/twilio-ivr/partial?cs=${session}`],
  ]);
  const text = attributes.map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join('');
  return `<Response><Gather${text}/></Response>`;
}

// The honoured attributes `g` sets, in its order, or null when `g` is not base64url (no
// padding) of a JSON object with at least one of them as a string.
function gatherSpec(g) {
  if (typeof g !== 'string' || !/^[A-Za-z0-9_-]+$/.test(g)) return null;
  let spec;
  try {
    spec = JSON.parse(Buffer.from(g, 'base64url').toString('utf8'));
  } catch (_) {
    return null;
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return null;
  const attributes = Object.entries(spec).filter(
    ([name, value]) => GATHER_ATTRIBUTES.includes(name) && typeof value === 'string'
  );
  return attributes.length > 0 ? attributes : null;
}

function escapeXml(text) {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]
  );
}

function twiml(xml) {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'text/xml; charset=utf-8');
  response.setBody(xml);
  return response;
}

function empty() {
  return new Twilio.Response();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
