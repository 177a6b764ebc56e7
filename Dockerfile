# syntax=docker/dockerfile:1.7
# Debian-based: the embedded PostgreSQL binaries (embedded-postgres) are glibc builds.
FROM oven/bun:1.4.5-debian AS deps
WORKDIR /app
# patches/: bun applies patchedDependencies (package.json) at install time.
COPY package.json bun.lock ./
COPY patches ./patches
RUN --mount=type=cache,target=/root/.bun/install/cache bun install --frozen-lockfile

FROM deps AS build
# .git is not in the build context: pass the commit for Settings → About
# (docker build --build-arg COMRADARR_COMMIT=$(git rev-parse --short HEAD) .).
ARG COMRADARR_COMMIT=unknown
COPY . .
RUN COMRADARR_COMMIT=$COMRADARR_COMMIT bun run build

FROM deps AS prod-deps
RUN --mount=type=cache,target=/root/.bun/install/cache bun install --frozen-lockfile --production

FROM oven/bun:1.4.5-debian AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/data
# The embedded PostgreSQL refuses to run as root: run as the image's unprivileged user.
RUN mkdir -p /data && chown bun:bun /data
COPY --from=prod-deps --chown=bun:bun /app/node_modules ./node_modules
COPY --from=build --chown=bun:bun /app/build ./build
COPY --chown=bun:bun drizzle ./drizzle
COPY --chown=bun:bun package.json ./
COPY --chown=bun:bun scripts/serve.ts ./scripts/serve.ts
# serve.ts maps BASE_URL and decides which forwarding headers to believe with these (they import
# nothing but ipaddr.js).
COPY --chown=bun:bun src/lib/server/http/base-path.ts src/lib/server/http/client-address.ts src/lib/server/http/forwarding.ts ./src/lib/server/http/
USER bun
VOLUME /data
EXPOSE 3000
# /health lives under BASE_URL (a path, or a full URL whose path is used).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD bun -e "const base = (process.env.BASE_URL || '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/+$/, ''); fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + base + '/health').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"
CMD ["bun", "./scripts/serve.ts"]
