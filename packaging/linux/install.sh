#!/bin/sh
# Install Followthrough for this user only, under ~/.local: no root needed.
# Your data is not in here; it stays where it is across installs and upgrades.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app_id=app.followthrough.Followthrough
lib_dir="$HOME/.local/lib/followthrough"
bin_dir="$HOME/.local/bin"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
program="$lib_dir/followthrough"

if [ ! -x "$here/Followthrough/followthrough" ]; then
    echo "install.sh: the app is missing next to this script (Followthrough/followthrough)" >&2
    exit 1
fi

# The new copy is complete before it replaces the old one.
mkdir -p "$(dirname "$lib_dir")" "$bin_dir" "$data_home/applications" "$data_home/metainfo"
rm -rf "$lib_dir.new"
cp -R "$here/Followthrough" "$lib_dir.new"
cp "$here/uninstall.sh" "$lib_dir.new/uninstall.sh"
rm -rf "$lib_dir"
mv "$lib_dir.new" "$lib_dir"
ln -sfn "$program" "$bin_dir/followthrough"

# Exec is quoted as the Desktop Entry spec asks, so a home folder with spaces still works.
exec_value=$(printf '%s' "$program" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')
EXEC_LINE="Exec=\"$exec_value\"" TRY_LINE="TryExec=$program" awk '
    /^Exec=/ { print ENVIRON["TRY_LINE"]; print ENVIRON["EXEC_LINE"]; next }
    /^TryExec=/ { next }
    { print }
' "$here/$app_id.desktop" > "$data_home/applications/$app_id.desktop"
cp "$here/$app_id.metainfo.xml" "$data_home/metainfo/$app_id.metainfo.xml"
mkdir -p "$data_home/icons/hicolor"
cp -R "$here/icons/hicolor/." "$data_home/icons/hicolor/"

# Menus and icon caches pick the app up at once where these tools exist; elsewhere at next login.
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data_home/applications" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" >/dev/null 2>&1 || true
fi

echo "Followthrough is installed: open it from your applications menu, or run $bin_dir/followthrough"
case ":${PATH:-}:" in
    *":$bin_dir:"*) ;;
    *) echo "($bin_dir is not on your PATH: add it to run 'followthrough' by name)" ;;
esac
echo "To remove it: $lib_dir/uninstall.sh"
