#!/bin/sh
# Writes limiter-cli/target/simulate.html with `limiter simulate` (Nylas v3, 1,000 req/s on one grant
# for 5 s) and takes a screenshot of it with headless Chromium: limiter-cli/target/simulate.png.
# Needs the runnable jar (mvn -pl limiter-cli -am package) and Debian's chromium package
# (installed here with apt-get when it is missing and the script runs as root).
set -eu
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
    else
        echo "chromium is not installed: apt-get install chromium" >&2
        exit 1
    fi
fi
java -jar target/limiter.jar simulate --policy shipped:nylas-v3 --rate 1000 --duration 5s --keys 1 \
    --request "GET /v3/grants/{key}/messages" --buckets 10 --html target/simulate.html
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" --screenshot="$PWD/target/simulate.png" \
    --window-size=1000,700 "file://$PWD/target/simulate.html"
rm -rf "$profile"
echo "wrote $PWD/target/simulate.png"
