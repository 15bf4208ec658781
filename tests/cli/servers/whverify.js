#!/usr/bin/env node
// whverify: check the Standard Webhooks signatures of the requests that
// httprecv.py logged, with the official library (npm "standardwebhooks").
//
//   node whverify.js SECRET < requests.jsonl
//
// SECRET is the subscriber's secret, "whsec_<base64>". Each log line of a
// POST is verified with new Webhook(SECRET).verify(body, headers), so the
// signature, the headers' presence, the timestamp (at most 5 minutes from
// now, the library's default) and the body being JSON are all checked. One
// line is printed per POST, in the log's order:
//
//   ok <webhook-id>
//   bad <webhook-id or -> <reason>
//
// Other methods are skipped. Exits 0 when every POST verified, 1 when one
// did not, when a line is not JSON, or when there was no POST at all; 2 on
// bad usage; 3 when standardwebhooks is not installed. Install it first:
// npm ci --prefix tests/cli/servers

"use strict";

const fs = require("fs");
let Webhook, WebhookVerificationError;
try {
  ({ Webhook, WebhookVerificationError } = require("standardwebhooks"));
} catch (e) {
  process.stderr.write("whverify: the npm package standardwebhooks is not " +
    "installed: npm ci --prefix tests/cli/servers\n");
  process.exit(3);
}

function main() {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0] === "" || args[0].startsWith("-")) {
    process.stderr.write("usage: node whverify.js SECRET < requests.jsonl\n");
    return 2;
  }
  let wh;
  try {
    wh = new Webhook(args[0]);
  } catch (e) {
    process.stderr.write(`whverify: bad secret: ${e.message}\n`);
    return 2;
  }

  const input = fs.readFileSync(0, "utf8");
  let checked = 0;
  let failed = 0;
  const out = [];
  for (const line of input.split("\n")) {
    if (line.trim() === "") continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      out.push(`bad - unreadable log line: ${e.message}`);
      failed++;
      continue;
    }
    if (req.method !== "POST") continue;
    checked++;
    const headers = req.headers || {};
    const id = headers["webhook-id"] || "-";
    // The exact bytes received; the library hashes them as UTF-8 text.
    const body = Buffer.from(req.body_b64 || "", "base64");
    try {
      wh.verify(body, headers);
      out.push(`ok ${id}`);
    } catch (e) {
      const reason = e instanceof WebhookVerificationError
        ? e.message
        : `${e.name}: ${e.message}`;
      out.push(`bad ${id} ${reason.replace(/\s+/g, " ")}`);
      failed++;
    }
  }
  if (out.length) process.stdout.write(out.join("\n") + "\n");
  if (checked === 0) {
    process.stderr.write("whverify: no POST request to verify\n");
    return 1;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
