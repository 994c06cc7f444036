// Copies the front-end packages installed by `npm ci` into static/vendor/ (never committed).
import { copyFileSync, mkdirSync } from "node:fs";

const files = [["node_modules/htmx.org/dist/htmx.min.js", "static/vendor/htmx/htmx.min.js"]];
for (const [from, to] of files) {
  mkdirSync(to.substring(0, to.lastIndexOf("/")), { recursive: true });
  copyFileSync(from, to);
  console.log(`vendored ${to}`);
}
