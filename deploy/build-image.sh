#!/bin/sh
# Builds the container image of deploy/Containerfile from the sources:
#   sh deploy/build-image.sh [TAG]
set -eu
cd "$(dirname "$0")/.."
tag=${1:-cartable}
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$ctx/cartable" ./cmd/cartable
cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
mkdir -m 0700 "$ctx/data"   # the volume's mount point, owned by the image's user
cp deploy/Containerfile "$ctx/"
docker build -f "$ctx/Containerfile" -t "$tag" "$ctx"
