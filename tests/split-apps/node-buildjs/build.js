// The build step, run as `node build.js`: minifies lib/app.js with terser
// (a devDependency) into dist/app.js.
const fs = require("fs");
const { minify } = require("terser");

(async () => {
  const source = fs.readFileSync("lib/app.js", "utf8");
  const result = await minify(source, { compress: true, mangle: true });
  fs.mkdirSync("dist", { recursive: true });
  fs.writeFileSync("dist/app.js", result.code);
  console.log("wrote dist/app.js");
})();
