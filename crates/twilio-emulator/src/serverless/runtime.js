'use strict';
// One invocation of a Twilio Function under plain node, with the part of Twilio's Functions
// runtime a relay uses. The emulator runs `node -e <this file>` per request and writes one JSON
// object to stdin:
//   { code, filename, context: {...}, event: {...} }
// This answers with one JSON line on stdout:
//   { statusCode, headers: {name: value}, body: "text" }
// and exits as soon as the Function calls back (Twilio ends the execution there too). The
// Function's own console output goes to stderr, so stdout carries only the answer.

const fs = require('fs');
const Module = require('module');

const stdout = 1;
const ownOutput = process.stderr.write.bind(process.stderr);
process.stdout.write = ownOutput;
for (const level of ['log', 'info', 'debug', 'trace']) {
  console[level] = console.error;
}

function answer(statusCode, headers, body) {
  fs.writeSync(stdout, JSON.stringify({ statusCode, headers, body }) + '\n');
  process.exit(0);
}

// Twilio's shape for `callback(error)` and for code that throws: 500 with JSON.
function failed(error) {
  const shaped =
    error instanceof Error
      ? { message: error.message, name: error.name, stack: error.stack }
      : { message: String(error), name: 'Error' };
  answer(500, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(shaped));
}

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

function respond(error, result) {
  if (error) {
    return failed(error);
  }
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
    return answer(result._statusCode, headers, body === undefined ? '' : String(body));
  }
  if (result instanceof VoiceResponse) {
    return answer(200, { 'Content-Type': 'text/xml; charset=utf-8' }, result.toString());
  }
  if (result === undefined || result === null) {
    return answer(200, {}, '');
  }
  if (typeof result === 'string') {
    return answer(200, { 'Content-Type': 'text/html; charset=utf-8' }, result);
  }
  return answer(200, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(result));
}

process.on('uncaughtException', failed);
process.on('unhandledRejection', failed);

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const context = Object.assign({}, input.context, {
  getTwilioClient() {
    throw new Error(
      'context.getTwilioClient() needs the twilio npm package, which the emulator does not ' +
        'install; call the REST APIs with fetch at context.TWILIO_API_BASE instead'
    );
  },
});
Object.assign(process.env, input.variables);

const fn = new Module(input.filename);
fn.filename = input.filename;
fn.paths = [];
fn._compile(input.code, input.filename);
if (typeof fn.exports.handler !== 'function') {
  failed(new Error(`${input.filename} does not export a handler function`));
}
const returned = fn.exports.handler(context, input.event, respond);
if (returned && typeof returned.catch === 'function') {
  returned.catch(failed);
}
