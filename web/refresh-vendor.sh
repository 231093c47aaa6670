#!/bin/sh
# refresh-vendor.sh - reinstall the dashboard's third-party files from npm
# into web/vendor/ at the versions named in web/vendor/VERSIONS (edit the
# versions there first to move to newer ones). Needs npm; the build and
# the server never do.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/vendor"
uplot=$(awk '$1 == "uplot" {print $2}' "$vendor/VERSIONS")
cyto=$(awk '$1 == "cytoscape" {print $2}' "$vendor/VERSIONS")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "uplot@$uplot" "cytoscape@$cyto" >/dev/null
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css "$vendor/"
cp node_modules/uplot/LICENSE "$vendor/LICENSE.uplot"
cp node_modules/cytoscape/dist/cytoscape.min.js "$vendor/"
cp node_modules/cytoscape/LICENSE "$vendor/LICENSE.cytoscape"
echo "web/vendor: uplot $uplot, cytoscape $cyto"
