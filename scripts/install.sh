#!/usr/bin/env bash
# Installs vox under PREFIX (default /usr/local), or removes exactly what it installed:
#   scripts/install.sh [PREFIX]               build in release (Swift runtime linked statically) and install
#   scripts/install.sh --uninstall [PREFIX]   remove the files listed in PREFIX/share/vox/install-manifest
#   scripts/install.sh --no-build [PREFIX]    install what is built already (.build/release/vox and
#                                             .build/debug/generate-manual: scripts/test.sh builds both)
# Installed: bin/vox (its models' heads, sample feed, dashboard and connector profiles are compiled in), shell
# completions for bash, zsh and fish, and the manual page vox.1 (swift-argument-parser's generate-manual tool).
# Running it again replaces the same files. The base encoders are not installed: `vox model pull` fetches them
# into the user's cache (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=install
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --uninstall) mode=uninstall; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        -*) echo "install.sh: unknown option $1" >&2; exit 64 ;;
        *) break ;;
    esac
done
prefix="${1:-/usr/local}"
manifest="$prefix/share/vox/install-manifest"

if [ "$mode" = uninstall ]; then
    if [ ! -f "$manifest" ]; then
        echo "install.sh: nothing to remove: $manifest does not exist" >&2
        exit 1
    fi
    while IFS= read -r file; do
        [ -n "$file" ] && rm -f "$prefix/$file"
    done < "$manifest"
    rm -f "$manifest"
    # Folders this script created and left empty (never a folder that holds anything else).
    for dir in share/vox share/man/man1 share/man share/bash-completion/completions share/bash-completion \
        share/zsh/site-functions share/zsh share/fish/vendor_completions.d share/fish bin share; do
        rmdir "$prefix/$dir" 2>/dev/null || true
    done
    echo "vox: removed from $prefix"
    exit 0
fi

binary=.build/release/vox
if [ "$build" = 1 ]; then
    swift build -c release --product vox --static-swift-stdlib
fi
[ -x "$binary" ] || { echo "install.sh: $binary is missing: run without --no-build" >&2; exit 1; }

# The manual page, from the commands' own help: swift-argument-parser's generate-manual tool (the one its plugin
# runs), pointed at the binary being installed rather than letting the plugin rebuild it.
if [ "$build" = 1 ]; then swift build --product generate-manual >/dev/null; fi
generator=.build/debug/generate-manual
[ -x "$generator" ] || { echo "install.sh: $generator is missing: run without --no-build" >&2; exit 1; }
manuals="$(mktemp -d)"
trap 'rm -rf "$manuals"' EXIT
"$generator" "$binary" --date "$(date -u -r "$binary" +%Y-%m-%d)" \
    --authors "Vox developers" --output-directory "$manuals"
page="$manuals/vox.1"
[ -s "$page" ] || { echo "install.sh: the manual page was not generated" >&2; exit 1; }

files=(bin/vox share/man/man1/vox.1 share/bash-completion/completions/vox share/zsh/site-functions/_vox
    share/fish/vendor_completions.d/vox.fish)
install -d "$prefix/bin" "$prefix/share/vox" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$binary" "$prefix/bin/vox.new" && mv -f "$prefix/bin/vox.new" "$prefix/bin/vox"
install -m 0644 "$page" "$prefix/share/man/man1/vox.1"
"$prefix/bin/vox" --generate-completion-script bash > "$prefix/share/bash-completion/completions/vox"
"$prefix/bin/vox" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_vox"
"$prefix/bin/vox" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/vox.fish"
printf '%s\n' "${files[@]}" > "$manifest"
echo "vox: installed in $prefix (${files[*]})"
