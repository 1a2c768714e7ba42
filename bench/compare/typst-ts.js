// bench/compare/typst-ts.js: compile basic.typ to PDF with Typst 0.14 as
// bundled in the npm package @myriaddreamin/typst-ts-node-compiler (no typst
// CLI >= 0.11 is installable here).  Put its node_modules on NODE_PATH.
//   node typst-ts.js IN.typ OUT.pdf [N]   N > 1: compile N times in this
//   process, dropping Typst's memo cache between documents, print s/doc.
//   TYPST_TAGS=0: no tagged-PDF structure tree (Typst 0.14 writes one by default).
const { NodeCompiler } = require('@myriaddreamin/typst-ts-node-compiler');
const fs = require('fs');
const [inp, out, n = '1'] = process.argv.slice(2);
const c = NodeCompiler.create({ workspace: __dirname, fontArgs: [{ fontPaths: [
  '/usr/share/fonts/truetype/arphic', '/usr/share/fonts/truetype/wqy'] }] });
const t0 = process.hrtime.bigint();
for (let i = 0; i < +n; i++) {
  const r = c.compile({ mainFilePath: require('path').resolve(inp) });
  if (!r.result) { r.printErrors(); process.exit(1); }
  fs.writeFileSync(out, c.pdf(r.result, { pdfTags: process.env.TYPST_TAGS !== '0' }));
  c.evictCache(0);
}
if (+n > 1) console.log((Number(process.hrtime.bigint() - t0) / 1e9 / +n).toFixed(4));
