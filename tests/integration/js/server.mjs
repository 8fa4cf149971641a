// The vigil process shared by the JavaScript SDK tests: starts $VIGIL_BIN (default
// <repo>/build/vigil) on a free port with --port-file and a temp data dir and waits for
// /_vigil/health; or, with VIGIL_ENDPOINT=http://host:port, uses a running server (nothing is
// spawned). Also keeps the caller's AWS configuration out of the SDK, and gives the tests a
// CloudWatch client and the manual clock.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..", "..");
const BINARY = process.env.VIGIL_BIN || path.join(REPO, "build", "vigil");
const START_TIMEOUT_MS = Number(process.env.VIGIL_START_TIMEOUT || 30) * 1000;
export const EXTERNAL = (process.env.VIGIL_ENDPOINT || "").replace(/\/+$/, "");

// Keep the caller's AWS configuration out of the SDK (profiles, compression overrides, ...).
for (const key of Object.keys(process.env)) {
  if (key.startsWith("AWS_")) delete process.env[key];
}
process.env.AWS_CONFIG_FILE = "/dev/null";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
process.env.AWS_EC2_METADATA_DISABLED = "true";

// The server under test: `endpoint` always; `proc`, `exitPromise` and `workdir` when spawned.
export const vigil = { proc: null, exitPromise: null, workdir: null, logPath: null, endpoint: EXTERNAL };

export function logTail(lines = 80) {
  if (!vigil.logPath || !fs.existsSync(vigil.logPath)) return "(no vigil log)";
  const all = fs.readFileSync(vigil.logPath, "utf8").split("\n");
  return `----- vigil log ${vigil.logPath} -----\n${all.slice(-lines).join("\n")}\n-----`;
}

// Spawns vigil with `extraArgs` (unless VIGIL_ENDPOINT is set) and waits until it is healthy.
export async function startServer(extraArgs = [], prefix = "vigil-js-") {
  if (EXTERNAL) return;
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  vigil.workdir = workdir;
  vigil.logPath = path.join(workdir, "vigil.log");
  const portFile = path.join(workdir, "port");
  const log = fs.openSync(vigil.logPath, "a");
  assert.ok(fs.existsSync(BINARY), `vigil binary not found at ${BINARY} (set VIGIL_BIN)`);
  const proc = spawn(BINARY, ["--listen", "127.0.0.1:0", "--data-dir", path.join(workdir, "data"),
    "--port-file", portFile, "--log-level", "debug", ...extraArgs], { stdio: ["ignore", log, log] });
  vigil.proc = proc;
  vigil.exitPromise = new Promise((resolve) => {
    proc.on("exit", (code, signal) => resolve({ code, signal }));
  });
  let exited = null;
  vigil.exitPromise.then((r) => { exited = r; });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let port = null;
  let lastText = null;
  let delay = 5;
  while (true) {
    if (exited) throw new Error(`vigil exited early (${JSON.stringify(exited)})\n${logTail()}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`vigil not ready within ${START_TIMEOUT_MS} ms\n${logTail()}`);
    }
    if (port === null) {
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, "utf8") : "";
      // Complete once newline-terminated, or unchanged over two polls (no newline written).
      if (/^\d+\s*$/.test(text) && (text.endsWith("\n") || text === lastText)) {
        port = Number(text.trim());
        vigil.endpoint = `http://127.0.0.1:${port}`;
      }
      lastText = text;
    } else {
      try {
        const res = await fetch(`${vigil.endpoint}/_vigil/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}

export function stopServer() {
  const { proc, workdir } = vigil;
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  if (workdir && !process.env.VIGIL_KEEP_TMP) fs.rmSync(workdir, { recursive: true, force: true });
}

// A test body that prints the server log when it fails.
export function withLog(fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (err) {
      if (!EXTERNAL) console.error(logTail());
      throw err;
    }
  };
}

// A CloudWatch client for the server under test (dummy credentials, no retries).
export function cloudwatch() {
  return new CloudWatchClient({
    endpoint: vigil.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/EXAMPLEKEY" },
    maxAttempts: 1,
  });
}

// POST /_vigil/clock (a server started with --clock manual): `{now}` or `{advance}` seconds;
// answers once every due evaluation has run.
export async function clock(body) {
  const res = await fetch(`${vigil.endpoint}/_vigil/clock`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}
