// node make-typescript-sdk-log.js <out.ndjson> <lines>: writes audit lines in the format of Sec0's TypeScript SDK
// (insertion order on disk, signed over JSON.stringify of a key-sorted copy, as docs/audit-format.md describes),
// with node:crypto and the ed25519.key test seed of tests/Fixtures/TypeScriptSdk. For timing sec0 verify (docs/performance.md).
const fs = require("node:fs");
const crypto = require("node:crypto");
const [out, nText] = process.argv.slice(2);
const seed = Buffer.from("UWWQ6OtnKX5m2iV5HrMHb6vgv2acQcEWOlJZbglICFk=", "base64");
const key = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
const sortKeys = (x) => {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === "object") { const o = {}; for (const k of Object.keys(x).sort()) o[k] = sortKeys(x[k]); return o; }
  return x;
};
const n = Number(nText);
const fd = fs.openSync(out, "w");
let buf = [];
for (let i = 0; i < n; i++) {
  const env = {
    ts: "2026-12-06T21:03:53.556Z", trace_id: i.toString(16).padStart(32, "0"), span_id: i.toString(16).padStart(16, "0"),
    tenant: "demo", environment: "dev", client_name: "demo-agents", client_version: "1.0.0", node_type: "agent",
    agent: "order-agent@1.0.0", server: "sec0-agent", tool: "order-agent@1.0.0", tool_ref: "sec0-agent order-agent@1.0.0",
    cause_trace_id: i.toString(16).padStart(32, "0"), cause_span_id: i.toString(16).padStart(16, "0"),
    status: i % 50 === 0 ? "error" : "ok", latency_ms: 12 + (i % 300), retries: 0, input_sha256: null, output_sha256: null,
    policy: { decision: "allow", retention: "90d" }, policy_hash: "e0abc62e02141f052d04727c6202625c1c9d182220e09cb5c8df3f08c78e6292",
    idempotency_key: "idem-" + i, nodeId: "order-agent", agentRef: "vm:31644:1796591033358:" + i,
    agentVariables: { AGENT: { status: "ok", latency_ms: 12 + (i % 300), "10": "ten", "2": "two" } },
  };
  const sig = crypto.sign(null, Buffer.from(JSON.stringify(sortKeys(env))), key).toString("base64");
  buf.push(JSON.stringify({ ...env, sig: "ed25519:" + sig }));
  if (buf.length === 1000) { fs.writeSync(fd, buf.join("\n") + "\n"); buf = []; }
}
if (buf.length) fs.writeSync(fd, buf.join("\n") + "\n");
fs.closeSync(fd);
