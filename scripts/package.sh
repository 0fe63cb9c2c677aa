#!/usr/bin/env bash
# Builds the Debian package of Switchboard from a built tree:
#   scripts/package.sh [--binary build/switchboard] [--web build/web] [--version V] [--out DIR]
# and prints the .deb's path. Contents (packaging/ holds the files):
#   /usr/bin/switchboard                      the binary (debug info stripped)
#   /usr/share/switchboard/web/               the built dashboard
#   /etc/switchboard/switchboard.conf         the commented default configuration (a conffile)
#   /lib/systemd/system/switchboard.service   the hardened unit
#   /usr/share/doc/switchboard/               README.md, configuration.md
# The maintainer scripts create the `switchboard` system user and
# /var/lib/switchboard (0700), and never delete the data. Depends: the Debian
# packages of the shared libraries the binary links (found with dpkg -S).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$root/build/switchboard
web=$root/build/web
version=
out=$root/build
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --web) web=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "package: no binary at $binary (run scripts/build.sh first)" >&2; exit 1; }
[ -f "$web/index.html" ] || { echo "package: no built dashboard at $web (run scripts/build.sh with npm)" >&2; exit 1; }
if [ -z "$version" ]; then
  version=$(sed -n 's/^project(switchboard VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
fi
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/switchboard
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/switchboard" "$pkg/etc/switchboard" \
  "$pkg/lib/systemd/system" "$pkg/usr/share/doc/switchboard"
objcopy --strip-debug "$binary" "$pkg/usr/bin/switchboard"
chmod 0755 "$pkg/usr/bin/switchboard"
cp -r "$web" "$pkg/usr/share/switchboard/web"
install -m 0640 "$root/packaging/switchboard.conf" "$pkg/etc/switchboard/switchboard.conf"
install -m 0644 "$root/packaging/switchboard.service" "$pkg/lib/systemd/system/switchboard.service"
install -m 0644 "$root/README.md" "$root/docs/configuration.md" "$pkg/usr/share/doc/switchboard/"
install -m 0644 "$root/packaging/debian/conffiles" "$pkg/DEBIAN/conffiles"
install -m 0755 "$root/packaging/debian/postinst" "$root/packaging/debian/prerm" "$root/packaging/debian/postrm" \
  "$pkg/DEBIAN/"

# Depends: the package of every shared library the binary loads.
depends=$(ldd "$binary" | awk '/=> \//{print $3}' | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
depends="${depends:+$depends, }passwd"
size=$(du -sk "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
  "$root/packaging/debian/control.in" >"$pkg/DEBIAN/control"

mkdir -p "$out"
deb=$out/switchboard_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
echo "$deb"
