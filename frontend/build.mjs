// Bundles src/editor.js into ../static/vendor/editor/ with a list of what went in (`make editor-bundle`).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static", "vendor", "editor");
mkdirSync(out, { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  metafile: true,
  outfile: join(out, "editor.min.js"),
  logLevel: "info",
});

// Every package that went into the bundle, with its version and licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!match || packages.has(match[1])) continue;
  const root = join(here, "node_modules", match[1]);
  const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].map((name) => join(root, name))
    .find((path) => existsSync(path));
  packages.set(match[1], { version: meta.version, licence: meta.license, text: licenceFile ? readFileSync(licenceFile, "utf8").trim() : "" });
}
const names = [...packages.keys()].sort();
const listing = names.map((name) => `${name} ${packages.get(name).version} (${packages.get(name).licence})`);
const texts = names.map((name) => `==== ${name} ${packages.get(name).version}: ${packages.get(name).licence}\n\n${packages.get(name).text || "(the package ships no licence file; see its package.json)"}\n`);
writeFileSync(join(out, "LICENSES.txt"),
  `Packages bundled into editor.min.js (built by frontend/build.mjs):\n\n${listing.join("\n")}\n\n${texts.join("\n")}`);
console.log(listing.join("\n"));
