#!/bin/sh
# A real nginx in front of a Comradarr started with BASE_URL, for the e2e test of serving under a
# sub-path (tests/e2e/zz-base-url.spec.ts). Configured the way the README tells users to:
#   location /comradarr/ { proxy_pass http://comradarr:3000; … }   (the prefix is passed on as is)
# Environment: NGINX_PORT (listen, 127.0.0.1), UPSTREAM_PORT (the app), BASE_URL (/comradarr).
set -eu
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
	echo "nginx is needed for the BASE_URL e2e test (Debian: apt-get install nginx-light)" >&2
	exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/comradarr-nginx-XXXXXX")
base=${BASE_URL:-/comradarr}
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location = $base { proxy_pass http://127.0.0.1:$UPSTREAM_PORT; include $dir/proxy.conf; }
		location $base/ { proxy_pass http://127.0.0.1:$UPSTREAM_PORT; include $dir/proxy.conf; }
		# Everything else on this host belongs to other apps.
		location / { return 404 "not Comradarr\n"; }
	}
}
CONF
cat >"$dir/proxy.conf" <<'CONF'
proxy_http_version 1.1;
proxy_set_header Host $http_host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_read_timeout 120s;
client_max_body_size 64m;
CONF
trap 'rm -rf "$dir"' EXIT
# Foreground, so Playwright stops it with the run; not exec'd, so the trap can clean up.
"$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
