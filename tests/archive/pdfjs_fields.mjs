// pdfjs_fields.mjs -- the form fields of a PDF as pdf.js (Firefox's
// viewer) sees them: one line per widget, "PAGE TYPE NAME".
//
// usage: node pdfjs_fields.mjs PDFJS_DIR FILE.pdf
// Exit 1 if pdf.js warns or fails, 77 if pdfjs-dist is not installed.
import { readFileSync, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [dir, file] = process.argv.slice(2);
const lib = `${dir}/node_modules/pdfjs-dist/legacy/build/pdf.mjs`;
if (!dir || !file || !existsSync(lib)) {
    console.error(`pdfjs-dist is not installed in ${dir}`);
    process.exit(77);
}
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
    for (const a of await page.getAnnotations())
        if (a.subtype === "Widget")
            out += `${i} ${a.fieldType} ${a.fieldName}\n`;
}
console.log = log;
console.warn = warn;
process.stdout.write(out);
if (warnings.length) {
    console.error(`${file}: pdf.js warns:\n  ${warnings.join("\n  ")}`);
    process.exit(1);
}
