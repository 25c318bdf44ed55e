// Builds the third-party libraries pinned in package-lock.json into static/frontend/vendor/
// (git-ignored; bin/setup runs `npm ci` and then this script). The app's own modules in
// static/frontend/js/ are served as they are and find these through the import map in
// templates/frontend/base.html; nothing is fetched from anywhere but this server.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "frontend", "vendor");
const modules = join(here, "node_modules");

await rm(vendor, { recursive: true, force: true });
await mkdir(vendor, { recursive: true });

// MapLibre GL JS ships ES modules; its worker is loaded relative to the main module. The source-map
// comments go (the maps are not shipped, and collectstatic's manifest would look for them).
for (const file of ["maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css"]) {
  const text = await readFile(join(modules, "maplibre-gl", "dist", file), "utf8");
  await writeFile(join(vendor, file), text.replace(/\n\/[/*]# sourceMappingURL=[^\n]*\s*$/, "\n"));
}

// Noto Sans KR (OFL) from Fontsource, regular and bold, split by unicode range so a page fetches only
// the slices it shows: Korean renders the same on every machine, fonts installed or not.
await mkdir(join(vendor, "fonts"), { recursive: true });
const fontDir = join(modules, "@fontsource", "noto-sans-kr");
let fontCss = "";
for (const weight of ["400", "700"]) {
  const css = await readFile(join(fontDir, `${weight}.css`), "utf8");
  fontCss += css.replace(/,\s*url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, "").replace(/url\(\.\/files\//g, "url(fonts/");
  for (const [, file] of css.matchAll(/url\(\.\/files\/([^)]+\.woff2)\)/g)) {
    await copyFile(join(fontDir, "files", file), join(vendor, "fonts", file));
  }
}
await writeFile(join(vendor, "noto-sans-kr.css"), fontCss);

const bundles = {
  // terra-draw and its MapLibre adapter in one module, so both share one terra-draw.
  "terra-draw.js": 'export * from "terra-draw"; export { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";',
  // Chart.js with every controller registered (dashboards draw lines, bars and doughnuts).
  "chart.js": 'export { default as Chart } from "chart.js/auto"; export * from "chart.js";',
};
for (const [name, contents] of Object.entries(bundles)) {
  await build({
    stdin: { contents, resolveDir: here, loader: "js" },
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    outfile: join(vendor, name),
    external: ["maplibre-gl"],
    legalComments: "inline",
    logLevel: "warning",
  });
}
console.log(`built front-end libraries into ${vendor}`);
