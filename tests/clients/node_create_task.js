// Drives the vendor's Node.js SDK (@volcengine/openapi) against a vmsspec server.
// Input on stdin: {"port", "region", "accessKeyId", "calls": [{"secretKey", "body"}]}.
// Output on stdout: one JSON array, the parsed answer of each call in order.
// The SDK's generic Service + createJSONAPI is what a client author uses for an API
// it has no dedicated client for (src/base/service.ts); it never throws on an HTTP
// status (fetch.ts: validateStatus null), so every answer is the envelope itself.
"use strict";
const { Service } = require("@volcengine/openapi");

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const answers = [];
  for (const call of input.calls) {
    const service = new Service({
      host: `127.0.0.1:${input.port}`,
      protocol: "http:",
      region: input.region,
      serviceName: "vms",
      defaultVersion: "2022-01-01",
      accessKeyId: input.accessKeyId,
      secretKey: call.secretKey,
    });
    const createTask = service.createJSONAPI("CreateTask");
    answers.push(await createTask(call.body));
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error) => {
  process.stderr.write(`node client failed: ${error && error.message}\n`);
  process.exit(1);
});
