#!/bin/sh
# Builds the portal's CSS and copies the images and fonts it references into static/build/,
# which Django's staticfiles (and whitenoise) serve. Run from the repository root: `make assets`.
set -eu
out=static/build
rm -rf "$out"
mkdir -p "$out/css/files" "$out/lbh/assets"

npx sass --no-source-map --quiet --style=compressed \
  --load-path=. --load-path=node_modules static/src/portal.scss "$out/css/portal.css"

node static/strip-remote-imports.cjs "$out/css/portal.css"

# Fonts referenced by the @fontsource CSS as ./files/... relative to portal.css.
for weight in 400 600 700; do
  for subset in latin latin-ext; do
    cp node_modules/@fontsource/open-sans/files/open-sans-$subset-$weight-normal.woff2 "$out/css/files/"
    cp node_modules/@fontsource/open-sans/files/open-sans-$subset-$weight-normal.woff "$out/css/files/"
  done
done
cp -R node_modules/lbh-frontend/lbh/assets/images "$out/lbh/assets/"
# GOV.UK Frontend's browser build (the version lbh-frontend depends on; every lbh component our
# pages use is GOV.UK's), then our own small scripts. Pages work without any of them.
# Why not lbh-frontend's all.js: docs/decisions/0006-govuk-frontend-scripts.md.
mkdir -p "$out/js"
cp node_modules/govuk-frontend/govuk/all.js "$out/js/govuk-frontend.js"
cp static/src/js/*.js "$out/js/"
echo "assets built into $out"
