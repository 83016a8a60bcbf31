import assert from "node:assert/strict";
import { test } from "node:test";
import { server } from "../src/server.js";

test("health endpoint answers ok", async () => {
  await new Promise((resolve) => server.listen(0, resolve));
  const { port } = server.address();
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(await res.text(), "ok");
  server.close();
});
