import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8080);

export const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hello: "world" }));
});

if (import.meta.url === `file://${process.argv[1]}`) server.listen(port);
