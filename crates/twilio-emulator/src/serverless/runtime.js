'use strict';
// A warm worker running Twilio Functions under plain node, with the part of Twilio's Functions
// runtime a relay uses. The emulator starts `node -e <this file>` once per deployment and keeps
// it, as Twilio keeps a deployment's container warm: a Function's module state survives between
// its invocations. Each stdin line is one invocation, run concurrently with the others, or a
// probe:
//   { id, code, filename, context: {...}, variables: {...}, event: {...} }
//   { id, probe: true }                                         answered at once with a 204
// Each stdout line is one message:
//   { id, statusCode, headers: {name: value}, body: "text" }   the Function's answer
//   { id, error: "why" }                                        it ended without one
//   { filename, log: "text" }                                   what it printed
// What a Function prints (console, process.stdout, process.stderr) becomes a `log` message
// naming the invocation's file (AsyncLocalStorage follows it through callbacks and promises),
// so stdout carries only messages. node's own stderr is the emulator's to log.

const crypto = require('crypto');
const Module = require('module');
const readline = require('readline');
const { AsyncLocalStorage } = require('async_hooks');

const invocation = new AsyncLocalStorage();
const writeMessage = process.stdout.write.bind(process.stdout);
const writeOwnError = process.stderr.write.bind(process.stderr);
const exit = process.exit.bind(process);

function send(message) {
  writeMessage(JSON.stringify(message) + '\n');
}

function printed(chunk, encoding, done) {
  const current = invocation.getStore();
  send({ filename: current ? current.filename : null, log: String(chunk) });
  const callback = typeof encoding === 'function' ? encoding : done;
  if (typeof callback === 'function') callback();
  return true;
}
process.stdout.write = printed;
process.stderr.write = printed;

// Twilio stops an execution at its callback; a worker cannot, so an invocation answers once and
// later callbacks or errors of it are ignored.
function answer(current, message) {
  if (current.answered) return;
  current.answered = true;
  send(Object.assign({ id: current.id }, message));
}

// Twilio's shape for `callback(error)` and for code that throws: 500 with JSON.
function failed(current, error) {
  const shaped =
    error instanceof Error
      ? { message: error.message, name: error.name, stack: error.stack }
      : { message: String(error), name: 'Error' };
  answer(current, {
    statusCode: 500,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(shaped),
  });
}

// `process.exit` in a Function ends only its invocation (without an answer), not the worker
// that the deployment's other invocations share; the throw stops the Function's code there.
class FunctionExited extends Error {}
process.exit = (code) => {
  const current = invocation.getStore();
  if (!current) exit(code);
  answer(current, { error: `it called process.exit(${code === undefined ? '' : code})` });
  throw new FunctionExited('process.exit');
};

// An error no invocation catches fails the invocation it came from; one from outside every
// invocation leaves the worker in an unknown state, so it ends (the emulator starts another).
function uncaught(error) {
  const current = invocation.getStore();
  if (!current) {
    writeOwnError(`uncaught outside any invocation: ${error && error.stack ? error.stack : error}\n`);
    exit(70);
  }
  thrown(current, error);
}
function thrown(current, error) {
  if (!(error instanceof FunctionExited)) failed(current, error);
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

// `Twilio.Response`: a status, headers and a body the Function sets.
class Response {
  constructor() {
    this._statusCode = 200;
    this._headers = {};
    this._body = undefined;
  }
  setStatusCode(code) {
    this._statusCode = code;
    return this;
  }
  setBody(body) {
    this._body = body;
    return this;
  }
  appendHeader(name, value) {
    this._headers[name] = value;
    return this;
  }
  setHeaders(headers) {
    this._headers = Object.assign({}, headers);
    return this;
  }
}

// A minimal `Twilio.twiml.VoiceResponse`: every verb adds an element (attributes first, text
// second, as in Twilio's helper library); verbs that nest return the new element.
const escapeXml = (text) =>
  String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
const VERBS = ['say', 'play', 'pause', 'gather', 'hangup', 'redirect', 'reject', 'record', 'dial', 'number', 'sms'];

class TwimlElement {
  constructor(name, attributes, text) {
    this.name = name;
    this.attributes = attributes || {};
    this.text = text;
    this.children = [];
  }
  toString() {
    const attributes = Object.entries(this.attributes)
      .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
      .join('');
    const inner = (this.text === undefined ? '' : escapeXml(this.text)) + this.children.join('');
    return inner === '' ? `<${this.name}${attributes}/>` : `<${this.name}${attributes}>${inner}</${this.name}>`;
  }
}
for (const verb of VERBS) {
  TwimlElement.prototype[verb] = function (attributes, text) {
    if (typeof attributes !== 'object' || attributes === null) {
      [attributes, text] = [{}, attributes];
    }
    const name = verb.charAt(0).toUpperCase() + verb.slice(1);
    const element = new TwimlElement(name, attributes, text);
    this.children.push(element);
    return element;
  };
}
class VoiceResponse extends TwimlElement {
  constructor() {
    super('Response');
  }
  toString() {
    return '<?xml version="1.0" encoding="UTF-8"?>' + super.toString();
  }
}

global.Twilio = { Response, twiml: { VoiceResponse } };

function respond(current, error, result) {
  if (error) {
    return failed(current, error);
  }
  const reply = (statusCode, headers, body) => answer(current, { statusCode, headers, body });
  if (result instanceof Response) {
    const headers = result._headers;
    const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    let body = result._body;
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      body = JSON.stringify(body);
      if (!typed) headers['Content-Type'] = 'application/json; charset=utf-8';
    } else if (body !== undefined && !typed) {
      headers['Content-Type'] = 'text/html; charset=utf-8';
    }
    return reply(result._statusCode, headers, body === undefined ? '' : String(body));
  }
  if (result instanceof VoiceResponse) {
    return reply(200, { 'Content-Type': 'text/xml; charset=utf-8' }, result.toString());
  }
  if (result === undefined || result === null) {
    return reply(200, {}, '');
  }
  if (typeof result === 'string') {
    return reply(200, { 'Content-Type': 'text/html; charset=utf-8' }, result);
  }
  return reply(200, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(result));
}

// Each distinct Function (its file name and code) is loaded once, into its own module, on its
// first invocation; one whose loading throws is loaded again next time.
const modules = new Map();
function load(code, filename) {
  const key = crypto.createHash('sha256').update(filename).update('\0').update(code).digest('hex');
  let loaded = modules.get(key);
  if (!loaded) {
    loaded = new Module(filename);
    loaded.filename = filename;
    loaded.paths = [];
    loaded._compile(code, filename);
    modules.set(key, loaded);
  }
  return loaded.exports;
}

// `process.env` holds the Environment's Variables as the latest invocation gave them (they can
// change between invocations); the worker's own environment is otherwise empty.
let variableNames = [];
function setVariables(variables) {
  for (const name of variableNames) {
    if (!Object.hasOwn(variables, name)) delete process.env[name];
  }
  Object.assign(process.env, variables);
  variableNames = Object.keys(variables);
}

function run(request) {
  const current = { id: request.id, filename: request.filename, answered: false };
  invocation.run(current, () => {
    try {
      setVariables(request.variables || {});
      const context = Object.assign({}, request.context, {
        getTwilioClient() {
          throw new Error(
            'context.getTwilioClient() needs the twilio npm package, which the emulator does not ' +
              'install; call the REST APIs with fetch at context.TWILIO_API_BASE instead'
          );
        },
      });
      const handler = load(request.code, request.filename).handler;
      if (typeof handler !== 'function') {
        throw new Error(`${request.filename} does not export a handler function`);
      }
      const returned = handler(context, request.event, (error, result) => respond(current, error, result));
      if (returned && typeof returned.then === 'function') {
        returned.then(undefined, (error) => thrown(current, error));
      }
    } catch (error) {
      thrown(current, error);
    }
  });
}

const requests = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
requests.on('line', (line) => {
  const request = JSON.parse(line);
  // A probe asks whether the worker still answers at once (no Function blocks it).
  if (request.probe) send({ id: request.id, statusCode: 204, headers: {}, body: '' });
  else run(request);
});
// The emulator closed the pipe: it is gone or replaced this worker.
requests.on('close', () => exit(0));
