// The server's source; build.js minifies it into dist/app.js.
const http = require("http");
const ms = require("ms");

const port = Number(process.env.PORT || 3000);
function message() {
  return "node-buildjs: ninety seconds is " + ms(90000) + "\n";
}
http
  .createServer(function (req, res) {
    res.setHeader("Content-Type", "text/plain");
    res.end(message());
  })
  .listen(port, "127.0.0.1");
