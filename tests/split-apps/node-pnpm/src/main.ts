// Compiled by tsc, installed with pnpm.
declare function require(name: string): any;
declare const process: { env: Record<string, string | undefined> };

const http = require("http");
const ms = require("ms");

const port = Number(process.env.PORT || 3000);
http
  .createServer((_req: unknown, res: any) => {
    res.setHeader("Content-Type", "text/plain");
    res.end(`node-pnpm: a day is ${ms(86400000, { long: true })}\n`);
  })
  .listen(port, "127.0.0.1");
