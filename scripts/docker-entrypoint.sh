#!/bin/sh
# The image's ENTRYPOINT: runs the CMD (`bun ./scripts/serve.ts`) as an unprivileged user, with no
# shell left between Docker and Bun (every branch ends in `exec`, so SIGTERM reaches Bun).
#
# - Started as a non-root user (the image's default, USER bun, or `--user 1234:1234`): runs the
#   command as that user.
# - Started as root (`user: "0:0"` in compose): takes PUID / PGID (default 1000:1000, the image's
#   `bun` user), the way linuxserver.io images do; gives /data to that uid/gid when its owner differs
#   (recursively: the embedded PostgreSQL refuses a data directory it does not own), then drops to
#   it with setpriv (util-linux). PUID=0 is refused: the embedded PostgreSQL will not run as root.
#
# A uid with no /etc/passwd entry (PUID=1234, `--user 1234`) would stop the embedded PostgreSQL's
# initdb ("could not look up effective user ID"), and /etc cannot be edited on a read-only root
# filesystem: such a uid gets an entry through nss_wrapper (libnss-wrapper), from files written
# under /tmp (a tmpfs).
#
# Environment: PUID, PGID (only when started as root); HOME is set to /tmp when the user has none.
set -eu

die() {
	echo "docker-entrypoint: $*" >&2
	exit 1
}

is_number() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	*) return 0 ;;
	esac
}

# Gives uid $1 / gid $2 a passwd and group entry through nss_wrapper when the system has none.
ensure_user_entry() {
	uid=$1
	gid=$2
	getent passwd "$uid" >/dev/null 2>&1 && return 0
	lib=""
	for candidate in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
		[ -e "$candidate" ] && lib=$candidate && break
	done
	[ -n "$lib" ] || die "uid $uid has no /etc/passwd entry and libnss_wrapper.so is missing"
	dir=$(mktemp -d /tmp/comradarr-nss.XXXXXX) || die "cannot write to /tmp (mount a tmpfs there)"
	cat /etc/passwd >"$dir/passwd"
	echo "comradarr:x:$uid:$gid:Comradarr:/tmp:/usr/sbin/nologin" >>"$dir/passwd"
	cat /etc/group >"$dir/group"
	getent group "$gid" >/dev/null 2>&1 || echo "comradarr:x:$gid:" >>"$dir/group"
	chmod 0755 "$dir"
	chmod 0644 "$dir/passwd" "$dir/group"
	export LD_PRELOAD="$lib" NSS_WRAPPER_PASSWD="$dir/passwd" NSS_WRAPPER_GROUP="$dir/group"
	export HOME=/tmp
}

data=${DATA_DIR:-/data}

if [ "$(id -u)" != 0 ]; then
	ensure_user_entry "$(id -u)" "$(id -g)"
	[ -n "${HOME:-}" ] && [ "$HOME" != / ] || export HOME=/tmp
	exec "$@"
fi

uid=${PUID:-1000}
gid=${PGID:-1000}
is_number "$uid" || die "PUID must be a number, got '$uid'"
is_number "$gid" || die "PGID must be a number, got '$gid'"
[ "$uid" != 0 ] || die "PUID=0 is refused: the embedded PostgreSQL will not run as root"

mkdir -p "$data"
if [ "$(stat -c %u:%g "$data")" != "$uid:$gid" ]; then
	echo "docker-entrypoint: giving $data to $uid:$gid"
	chown -R "$uid:$gid" "$data"
fi
ensure_user_entry "$uid" "$gid"
home=$(getent passwd "$uid" | cut -d: -f6)
export HOME="${home:-/tmp}"
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
