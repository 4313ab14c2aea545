// Listens on $PORT and answers with $GREETING (both set by the Dockerfile).
const http = require("http");
const ms = require("ms");

const port = Number(process.env.PORT || 3000);
const greeting = process.env.GREETING || "unset";
http
  .createServer((req, res) => {
    res.setHeader("Content-Type", "text/plain");
    res.end(`node-user-env-arg: ${greeting}; five minutes is ${ms(300000)}\n`);
  })
  .listen(port, "127.0.0.1");
