/** @type {import('next').NextConfig} */
module.exports = {
  output: "standalone",
  // A fixed build id keeps the page's HTML the same from build to build.
  generateBuildId: async () => "sample-build",
};
