#!/usr/bin/env node
// An independent Switchboard receiver in plain Node.js (built-in modules only),
// written the way a customer would from the help-centre snippets:
//   seed 002: X-MyOperator-Signature = hex HMAC-SHA256(secret, raw body), crypto.timingSafeEqual
//   seed 004: X-MO-Signature = "sha256=" + hex HMAC over JSON.stringify(JSON.parse(body))
//   Standard Webhooks: webhook-signature = "v1," + base64 HMAC-SHA256(key, id.timestamp.body),
//     key = base64-decoded remainder of a "whsec_" secret, else the secret's bytes
//   Standard Webhooks asymmetric (--public-key): webhook-signature holds "v1a," + base64
//     Ed25519 signature of id.timestamp.body, checked with crypto.verify(null, data, key, sig)
//     against the published "whpk_" key (base64 of the raw 32 bytes)
// and it also insists that JSON.stringify(JSON.parse(body)) === body.
// With --client-ca it demands a client certificate issued by that CA (mutual TLS).
//
// Usage: node verify.js --port 0 --cert cert.pem --key key.pem --secret whsec_... [--secret ...]
//                       [--public-key whpk_... ...] [--client-ca ca.pem]
//                       [--tolerance SECONDS (default 300, 0 = off)]
// Prints "listening PORT", then "ok <event_id>" or "bad <event_id> <reason>" per POST;
// answers 200 when every check passes, else 401. On SIGTERM/SIGINT prints
// "verified N rejected N" and exits 0.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const https = require('https');

const MAX_BODY_BYTES = 1024 * 1024;

function parseArgs(argv) {
  const args = { port: 0, cert: '', key: '', secrets: [], publicKeys: [], clientCa: '', tolerance: 300 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--port': args.port = Number(value); i++; break;
      case '--cert': args.cert = value; i++; break;
      case '--key': args.key = value; i++; break;
      case '--secret': args.secrets.push(value); i++; break;
      case '--tolerance': args.tolerance = Number(value); i++; break;
      case '--public-key': args.publicKeys.push(value); i++; break;
      case '--client-ca': args.clientCa = value; i++; break;
      default:
        process.stderr.write(`unknown argument ${argv[i]}\n`);
        process.exit(2);
    }
  }
  if (!args.cert || !args.key || !Number.isInteger(args.port)) {
    process.stderr.write('usage: verify.js --port N --cert PEM --key PEM --secret S [--tolerance SECONDS]\n');
    process.exit(2);
  }
  return args;
}

// Every value of a header, split on `separator` (rotation sends several).
function headerParts(req, name, separator) {
  const values = req.headersDistinct[name] || [];
  return values.flatMap((v) => v.split(separator)).map((v) => v.trim()).filter((v) => v.length > 0);
}

function firstHeader(req, name) {
  const values = req.headersDistinct[name];
  return values && values.length > 0 ? values[0] : undefined;
}

function hmacHex(secret, data) {
  return crypto.createHmac('sha256', secret).update(data).digest('hex');
}

// Seed 002, as written there, for each candidate signature and secret.
function myOperatorSignatureOk(req, raw, secrets) {
  return headerParts(req, 'x-myoperator-signature', ',').some((signature) =>
    secrets.some((secret) => {
      const digest = hmacHex(secret, raw);
      if (!/^[0-9a-f]{64}$/.test(signature)) return false; // Buffer.from(.., "hex") skips bad digits
      return crypto.timingSafeEqual(Buffer.from(signature, 'hex'), Buffer.from(digest, 'hex'));
    }));
}

// Seed 004, as written there: the HMAC is over the re-serialized body.
function moSignatureOk(req, parsed, secrets) {
  const payload = JSON.stringify(parsed);
  return headerParts(req, 'x-mo-signature', ',').some((sig) =>
    secrets.some((secret) => sig === `sha256=${hmacHex(secret, payload)}`));
}

function standardKey(secret) {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64')
                                     : Buffer.from(secret, 'utf8');
}

function standardSignatureOk(id, timestamp, req, raw, secrets) {
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]);
  const candidates = headerParts(req, 'webhook-signature', ' ');
  return secrets.some((secret) => {
    const expected = Buffer.from(
        crypto.createHmac('sha256', standardKey(secret)).update(signed).digest('base64'), 'utf8');
    return candidates.some((candidate) => {
      const comma = candidate.indexOf(',');
      if (comma < 0 || candidate.slice(0, comma) !== 'v1') return false;
      const given = Buffer.from(candidate.slice(comma + 1), 'utf8');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  });
}

// A "whpk_" key as Node's KeyObject: the raw 32 bytes as an Ed25519 JWK.
function ed25519PublicKey(text) {
  if (!text.startsWith('whpk_')) throw new Error(`not a whpk_ key: ${text}`);
  const raw = Buffer.from(text.slice('whpk_'.length), 'base64');
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function asymmetricSignatureOk(id, timestamp, req, raw, publicKeys) {
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw]);
  const candidates = headerParts(req, 'webhook-signature', ' ')
      .filter((candidate) => candidate.startsWith('v1a,'))
      .map((candidate) => Buffer.from(candidate.slice('v1a,'.length), 'base64'));
  return publicKeys.some((text) => candidates.some((signature) =>
    crypto.verify(null, signed, ed25519PublicKey(text), signature)));
}

// Returns { eventId, reasons }; no reasons means the delivery verifies.
function verify(req, raw, args) {
  const reasons = [];
  const text = raw.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(raw)) reasons.push('body is not valid UTF-8');
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    reasons.push('body is not JSON');
  }
  const moEventId = firstHeader(req, 'x-mo-event-id');
  const envelopeId = parsed && typeof parsed.event_id === 'string' ? parsed.event_id : undefined;
  const eventId = envelopeId || moEventId || '-';

  if (parsed !== undefined && JSON.stringify(parsed) !== text) {
    reasons.push('JSON.stringify(JSON.parse(body)) differs from the body');
  }
  if (envelopeId === undefined) reasons.push('envelope has no event_id');
  if (moEventId === undefined) reasons.push('X-MO-Event-Id missing');
  else if (envelopeId !== undefined && moEventId !== envelopeId) reasons.push('X-MO-Event-Id differs from event_id');
  if (!/^[1-9][0-9]*$/.test(firstHeader(req, 'x-mo-delivery-attempt') || '')) {
    reasons.push('X-MO-Delivery-Attempt is not a positive integer');
  }

  if (args.secrets.length > 0 || args.publicKeys.length > 0) {
    if (args.secrets.length > 0 && !myOperatorSignatureOk(req, raw, args.secrets)) {
      reasons.push('X-MyOperator-Signature invalid');
    }
    if (args.secrets.length > 0 && (parsed === undefined || !moSignatureOk(req, parsed, args.secrets))) {
      reasons.push('X-MO-Signature invalid');
    }
    const id = firstHeader(req, 'webhook-id');
    const timestamp = firstHeader(req, 'webhook-timestamp');
    if (id === undefined || timestamp === undefined) {
      reasons.push('webhook-id or webhook-timestamp missing');
    } else {
      if (id !== moEventId) reasons.push('webhook-id differs from X-MO-Event-Id');
      const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
      if (!/^[0-9]+$/.test(timestamp) || (args.tolerance > 0 && skew > args.tolerance)) {
        reasons.push('webhook-timestamp outside tolerance');
      }
      if (args.secrets.length > 0 && !standardSignatureOk(id, timestamp, req, raw, args.secrets)) {
        reasons.push('webhook-signature invalid');
      }
      if (args.publicKeys.length > 0 && !asymmetricSignatureOk(id, timestamp, req, raw, args.publicKeys)) {
        reasons.push('webhook-signature v1a (Ed25519) invalid');
      }
    }
  }
  return { eventId, reasons };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.secrets.length === 0 && args.publicKeys.length === 0) {
    process.stderr.write('warning: no --secret nor --public-key, signatures are not checked\n');
  }
  const counts = { verified: 0, rejected: 0 };

  const tls = { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) };
  if (args.clientCa) Object.assign(tls, { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(args.clientCa) });
  const server = https.createServer(tls, (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'application/json' });
      res.end('{"ok":false}');
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const result = size > MAX_BODY_BYTES ? { eventId: '-', reasons: ['body too large'] }
                                           : verify(req, Buffer.concat(chunks), args);
      const ok = result.reasons.length === 0;
      if (ok) counts.verified++;
      else counts.rejected++;
      console.log(ok ? `ok ${result.eventId}` : `bad ${result.eventId} ${result.reasons.join('; ')}`);
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { ok: true } : { ok: false, reasons: result.reasons }));
    });
  });

  server.listen(args.port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
  const finish = () => {
    console.log(`verified ${counts.verified} rejected ${counts.rejected}`);
    process.exit(0);
  };
  process.on('SIGTERM', finish);
  process.on('SIGINT', finish);
}

main();
