#!/bin/sh
# install_deps.sh: installs the Debian 12 packages tuban builds and tests with
# (listed in scripts/debian_packages.txt). Needs root or sudo.
set -e
here=$(dirname "$0")
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $(grep -v '^#' "$here/debian_packages.txt") >/dev/null
