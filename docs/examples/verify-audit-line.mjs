// Verify one Sec0 audit line with Node's built-in Ed25519 and the `canonicalize` (RFC 8785) package.
import { readFileSync } from "node:fs";
import { createPublicKey, verify, createHash } from "node:crypto";
import canonicalize from "canonicalize";

const [, , logFile, pubPemFile] = process.argv;
const publicKey = createPublicKey(readFileSync(pubPemFile));
let prev = "0".repeat(64);
for (const line of readFileSync(logFile, "utf8").split("\n").filter(Boolean)) {
  const record = JSON.parse(line);
  const { sig, ...unsigned } = record;
  const ok = sig === undefined ? "unsigned" :
    verify(null, Buffer.from(canonicalize(unsigned), "utf8"), publicKey, Buffer.from(sig.split(":")[1], "base64"));
  const chained = record.prev === prev;
  prev = createHash("sha256").update(line, "utf8").digest("hex");
  console.log(record.seq, ok, chained ? "chained" : "CHAIN BROKEN");
}
