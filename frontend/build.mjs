// Compile the design system and copy the runtime assets into build/static (served by Django).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "build/static";
mkdirSync(`${out}/openimi`, { recursive: true });
const result = sass.compile("frontend/openimi.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
writeFileSync(`${out}/openimi/openimi.css`, result.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/openimi/govuk-frontend.min.js`);
cpSync("frontend/openimi.js", `${out}/openimi/openimi.js`);
// Icons only: the GOV.UK crown, favicons and Transport fonts are GOV.UK's own and not ours to use.
mkdirSync(`${out}/govuk/assets`, { recursive: true });
console.log("built", out);
