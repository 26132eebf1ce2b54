// Copy the front-end libraries installed by `npm ci` into static/vendor/.
//
// No bundler: the browser loads the libraries' own dist files, served by
// whitenoise. Nothing is fetched at run time (school intranets have no internet).
// Source maps are copied where a file names one, because Django's manifest
// storage (production) refuses a file whose sourceMappingURL points nowhere.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

// [package, file or folder inside the package, destination inside static/vendor/<package-dir>/]
const FILES = [
  ["htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"],
  ["bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap", "dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap", "dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons", "font/fonts", "bootstrap-icons/fonts"],
  ["echarts", "dist/echarts.min.js", "echarts/echarts.min.js"],
  ["leaflet", "dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet", "dist/leaflet.js.map", "leaflet/leaflet.js.map"],
  ["leaflet", "dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet", "dist/images", "leaflet/images"],
];

// Fonts the server embeds in generated PDFs (rectification notices, monthly warnings):
// Noto Sans SC (SIL Open Font License), regular and bold, subset into each document.
// Kept outside static/ so the web server never serves 20 MB of fonts.
const FONTS = [
  ["@expo-google-fonts/noto-sans-sc", "400Regular/NotoSansSC_400Regular.ttf", "NotoSansSC-Regular.ttf"],
  ["@expo-google-fonts/noto-sans-sc", "700Bold/NotoSansSC_700Bold.ttf", "NotoSansSC-Bold.ttf"],
  ["@expo-google-fonts/noto-sans-sc", "LICENSE_FONT", "LICENSE-NotoSansSC.txt"],
];
const fonts = join(root, "build", "fonts");

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

function main() {
  if (!existsSync(modules)) {
    console.error("node_modules/ is missing: run `npm ci` first.");
    process.exit(1);
  }
  rmSync(vendor, { recursive: true, force: true });
  const versions = {};
  for (const [pkg, from, to] of FILES) {
    const source = join(modules, pkg, from);
    if (!existsSync(source)) {
      console.error(`missing ${relative(root, source)}: is ${pkg} installed at the locked version?`);
      process.exit(1);
    }
    const target = join(vendor, to);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: statSync(source).isDirectory() });
    versions[pkg] = version(pkg);
    console.log(`${pkg}@${versions[pkg]}  ${from} -> static/vendor/${to}`);
  }
  mkdirSync(fonts, { recursive: true });
  for (const [pkg, from, to] of FONTS) {
    const source = join(modules, pkg, from);
    if (!existsSync(source)) {
      console.error(`missing ${relative(root, source)}: is ${pkg} installed at the locked version?`);
      process.exit(1);
    }
    cpSync(source, join(fonts, to));
    console.log(`${pkg}@${version(pkg)}  ${from} -> build/fonts/${to}`);
  }
  // Which versions were built, for the about page and for anyone checking a deployment.
  writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
  console.log(`static/vendor/ built: ${Object.keys(versions).length} packages.`);
}

main();
