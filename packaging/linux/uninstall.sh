#!/bin/sh
# Remove what install.sh put under ~/.local. Your data (leads, backups) is kept.
set -eu

app_id=app.followthrough.Followthrough
lib_dir="$HOME/.local/lib/followthrough"
bin_link="$HOME/.local/bin/followthrough"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
autostart="${XDG_CONFIG_HOME:-$HOME/.config}/autostart/$app_id.desktop"

# Only our own link: a `followthrough` installed some other way stays.
if [ -L "$bin_link" ] && [ "$(readlink "$bin_link")" = "$lib_dir/followthrough" ]; then
    rm -f "$bin_link"
fi
rm -f "$data_home/applications/$app_id.desktop" "$data_home/metainfo/$app_id.metainfo.xml"
for icon in "$data_home"/icons/hicolor/*/apps/"$app_id".*; do
    [ -e "$icon" ] && rm -f "$icon"
done
# Starting at login would only fail once the program is gone.
if [ -f "$autostart" ] && grep -q "$lib_dir/" "$autostart"; then
    rm -f "$autostart"
fi
rm -rf "$lib_dir"

if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data_home/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" >/dev/null 2>&1 || true
fi
echo "Followthrough is removed. Your data is kept; the app's data folder is listed in Settings › Data."
