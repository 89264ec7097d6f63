// lbh-frontend's CSS always imports Open Sans from Google Fonts; the portal loads nothing from
// another host (privacy, offline use, strict CSP), so remove it and fail if anything remote is
// still referenced. Usage: node static/strip-remote-imports.cjs static/build/css/portal.css
const fs = require("fs");
const file = process.argv[2];
const css = fs
  .readFileSync(file, "utf8")
  .replace(/@import\s*(url\()?"[^"]*fonts\.googleapis\.com[^"]*"\)?;?/g, "");
const remote = css.match(/(url\(\s*["']?|@import\s*["']?)(https?:)?\/\/[^)"';]*/);
if (remote) {
  console.error(`${file} still refers to another host: ${remote[0]}`);
  process.exit(1);
}
fs.writeFileSync(file, css);
