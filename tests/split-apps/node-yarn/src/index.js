// Bundled by esbuild into dist/index.js; run by `yarn start`.
const http = require("http");
const ms = require("ms");
const { greeting } = require("./greeting");

const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => {
    res.setHeader("Content-Type", "text/plain");
    res.end(`${greeting("node-yarn")}; two hours is ${ms(7200000)}\n`);
  })
  .listen(port, "127.0.0.1");
