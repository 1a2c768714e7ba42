// pdfjs_text.mjs -- the text of a PDF as pdf.js (Mozilla's viewer, used
// by Firefox and many web apps) extracts it, one page after another.
//
// usage: node pdfjs_text.mjs PDFJS_DIR FILE.pdf
//   PDFJS_DIR: where npm installed pdfjs-dist (./dev puts it in .deps/pdfjs)
// Prints the text; exit 1 if pdf.js warns or fails (a font it cannot
// load, a broken ToUnicode), 77 if pdfjs-dist is not installed.
import { readFileSync, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [dir, file] = process.argv.slice(2);
const lib = `${dir}/node_modules/pdfjs-dist/legacy/build/pdf.mjs`;
if (!dir || !file || !existsSync(lib)) {
    console.error(`pdfjs-dist is not installed in ${dir}`);
    process.exit(77);
}
// pdf.js reports problems through console.log ("Warning: ..."); while it
// loads it only says that node has no canvas (we draw nothing)
const warnings = [];
const log = console.log, warn = console.warn;
console.log = console.warn = () => {};
const pdfjs = await import(pathToFileURL(lib).href);
console.log = console.warn = (...a) => warnings.push(a.join(" "));
const doc = await pdfjs.getDocument({
    data: new Uint8Array(readFileSync(file)),
    verbosity: pdfjs.VerbosityLevel.WARNINGS,
    useSystemFonts: false,
    disableFontFace: true,
}).promise;
let out = "";
for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    // operator list: makes pdf.js load (parse) every font of the page
    await page.getOperatorList();
    const tc = await page.getTextContent();
    out += tc.items.map((it) => it.str).join("") + "\n";
}
console.log = log;
console.warn = warn;
process.stdout.write(out);
if (warnings.length) {
    console.error(`${file}: pdf.js warns:\n  ${warnings.join("\n  ")}`);
    process.exit(1);
}
