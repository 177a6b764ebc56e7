#!/bin/sh
# `bun run container:image`: builds the real image from the Dockerfile with Podman and runs it —
# the part of the container check that needs a container engine. Not part of `npm test` (a cold
# run takes about 4 minutes); run it after changing the Dockerfile or the entrypoint.
#
# No registry is reachable from these machines (podman: "pinging container registry
# registry-1.docker.io: … no such host"), so the base image oven/bun:<tag>-debian is replaced by a
# local STAND-IN when it is not already present: Debian 12 minbase from debootstrap, this machine's
# Bun binary (the same version), and the image's `bun` user (uid/gid 1000). The stand-in trusts the
# CA in NODE_EXTRA_CA_CERTS when set (this machine's egress proxy). Everything after FROM is the
# real Dockerfile, built with `--pull=never`.
#
# Then, with the built image:
#   default  — as the image's USER, read-only root, tmpfs /tmp, a volume on /data, SECRET_KEY_FILE
#              from a mounted file, TZ=Europe/Berlin, on the embedded PostgreSQL: /health answers,
#              PID 1 is Bun as uid 1000, `date` is in CET/CEST, nothing outside /data and /tmp is
#              writable, `podman healthcheck run` is healthy, `podman stop` → exit status 0;
#   puid     — started as root with PUID=1234 PGID=1234: Bun runs as 1234:1234 and /data is theirs,
#              `podman stop` → exit status 0.
#
# Machine-specific Podman settings (Podman 4.3 on Debian 12 in this sandbox): runc with the
# cgroupfs manager (crun: "cgroups in hybrid mode not supported"), no default ulimits (crun/runc:
# "setrlimit RLIMIT_NOFILE: Operation not permitted"), host networking for the build (apt-get and
# bun install) and the runs.
# Needs root and `apt-get install podman runc debootstrap`. Prints PASS/FAIL lines; exits 1 on a
# failure.
set -eu
cd "$(dirname "$0")/.."

IMAGE=localhost/comradarr:container-image-check
PORT=${CONTAINER_IMAGE_PORT:-4673}
work=$(mktemp -d /tmp/container-image.XXXXXX)
conf=$work/containers.conf
printf '[containers]\ndefault_ulimits = []\n' >"$conf"
export CONTAINERS_CONF="$conf"
podman() { command podman --runtime runc --cgroup-manager=cgroupfs "$@"; }

failed=0
pass() { echo "PASS  image.$1  $2"; }
fail() {
	echo "FAIL  image.$1  $2"
	failed=1
}
cleanup() {
	podman rm -f cci-default cci-puid >/dev/null 2>&1 || true
	podman volume rm -f cci-data cci-data-puid >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

for tool in podman runc debootstrap; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "container:image needs $tool (apt-get install podman runc debootstrap)" >&2
		exit 1
	}
done

# The base every stage starts FROM (all the same image, container:check makes sure of that).
base=$(sed -n 's/^FROM \(oven\/bun:[^ ]*-debian\).*/\1/p' Dockerfile | head -n 1)
[ -n "$base" ] || {
	echo "no oven/bun:*-debian FROM in the Dockerfile" >&2
	exit 1
}
if ! podman image exists "docker.io/$base"; then
	echo "== building a local stand-in for $base (debootstrap bookworm minbase)"
	debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
		{
			tail -n 20 "$work/debootstrap.log"
			exit 1
		}
	rm -f "$work"/rootfs/var/cache/apt/archives/*.deb
	tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
	rm -rf "$work/rootfs"
	cp "$(command -v bun)" "$work/bun"
	: >"$work/extra-ca.crt"
	[ -n "${NODE_EXTRA_CA_CERTS:-}" ] && cp "$NODE_EXTRA_CA_CERTS" "$work/extra-ca.crt"
	cat >"$work/Containerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
COPY bun /usr/local/bin/bun
COPY extra-ca.crt /usr/local/share/ca-certificates/extra-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt
RUN ln -s /usr/local/bin/bun /usr/local/bin/bunx && groupadd -g 1000 bun && useradd -u 1000 -g bun -m -s /bin/sh bun
CMD ["/usr/local/bin/bun"]
EOF
	podman build --network=host -t "docker.io/$base" "$work" >"$work/base.log" 2>&1 || {
		tail -n 20 "$work/base.log"
		exit 1
	}
fi

echo "== podman build (the real Dockerfile, base $base)"
if podman build --format docker --network=host --pull=never \
	--build-arg COMRADARR_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	-t "$IMAGE" . >"$work/build.log" 2>&1; then
	pass build "podman build of the Dockerfile"
else
	tail -n 30 "$work/build.log"
	fail build "podman build of the Dockerfile"
	exit 1
fi

openssl rand -hex 32 >"$work/secret_key"
chmod 0644 "$work/secret_key"

# Waits for /health; $1 = container name.
wait_health() {
	i=0
	while [ $i -lt 60 ]; do
		body=$(curl -sf "http://127.0.0.1:$PORT/health" 2>/dev/null) && {
			echo "$body"
			return 0
		}
		podman container exists "$1" && [ "$(podman inspect "$1" --format '{{.State.Running}}')" = true ] || return 1
		i=$((i + 1))
		sleep 1
	done
	return 1
}

# Runs one container and checks it; $1 = name, $2 = expected uid:gid, the rest = podman run options.
check_run() {
	name=$1
	expect=$2
	shift 2
	echo "== run: $name"
	# --health-interval=disable: no systemd timer here; `podman healthcheck run` below runs it once.
	podman run -d --name "cci-$name" --read-only --tmpfs /tmp --network=host --health-interval=disable \
		-v "$work/secret_key:/run/secrets/secret_key:ro" \
		-e PORT="$PORT" -e HOST=127.0.0.1 -e TZ=Europe/Berlin -e SECRET_KEY_FILE=/run/secrets/secret_key \
		"$@" "$IMAGE" >/dev/null 2>>"$work/podman.log"
	if body=$(wait_health "cci-$name") && echo "$body" | grep -q '"status":"ok"'; then
		pass "$name.health" "/health answers $body"
	else
		podman logs "cci-$name" 2>&1 | tail -n 20
		fail "$name.health" "/health does not answer 200 within 60 s"
		return
	fi
	pid1=$(podman exec "cci-$name" sh -c 'cat /proc/1/comm; awk "/^Uid:/{u=\$2} /^Gid:/{g=\$2} END{print u\":\"g}" /proc/1/status')
	comm=$(echo "$pid1" | head -n 1)
	ids=$(echo "$pid1" | tail -n 1)
	if [ "$comm" = bun ] && [ "$ids" = "$expect" ]; then
		pass "$name.pid1" "PID 1 is Bun as $ids (no shell in between)"
	else
		fail "$name.pid1" "PID 1 is $comm as $ids, expected bun as $expect"
	fi
	owner=$(podman exec "cci-$name" stat -c %u:%g /data)
	[ "$owner" = "$expect" ] && pass "$name.data" "/data belongs to $owner" || fail "$name.data" "/data belongs to $owner, expected $expect"
	writable=$(podman exec "cci-$name" sh -c 'for d in /app /etc /usr /var /root; do touch $d/.w 2>/dev/null && echo $d; done; true')
	[ -z "$writable" ] && pass "$name.read-only" "nothing outside /data and /tmp is writable" || fail "$name.read-only" "writable: $writable"
	zone=$(podman exec "cci-$name" bun -e 'console.log(new Date().toString())')
	echo "$zone" | grep -Eq 'GMT\+0[12]00' && pass "$name.tz" "TZ=Europe/Berlin: $zone" || fail "$name.tz" "TZ ignored: $zone"
	if podman healthcheck run "cci-$name" >/dev/null 2>>"$work/podman.log"; then
		pass "$name.healthcheck" "the image's HEALTHCHECK is healthy"
	else
		fail "$name.healthcheck" "podman healthcheck run failed"
	fi
	# Podman without systemd complains about healthcheck timers on stderr: kept in podman.log.
	podman stop -t 30 "cci-$name" >/dev/null 2>>"$work/podman.log"
	code=$(podman inspect "cci-$name" --format '{{.State.ExitCode}}')
	[ "$code" = 0 ] && pass "$name.stop" "podman stop (SIGTERM): exit status 0" || fail "$name.stop" "exit status $code after SIGTERM"
}

check_run default 1000:1000 -v cci-data:/data
check_run puid 1234:1234 --user 0:0 -e PUID=1234 -e PGID=1234 -v cci-data-puid:/data

[ "$failed" = 0 ] && echo "container:image: all checks passed" || echo "container:image: FAILED"
exit "$failed"
