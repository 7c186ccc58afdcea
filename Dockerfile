# syntax=docker/dockerfile:1
# returnsbot in a container: a build stage (dependencies, TypeScript build), then a small runtime
# stage with the production dependencies only, run as the unprivileged `node` user, with the
# embedded store in the /data volume. Not built in the project's CI (no container engine there):
# see docs/operations.md. Build and run:
#   docker build -t returnsbot .
#   docker run -p 3978:3978 -v returnsbot-data:/data returnsbot
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY . .
# The build runs on `prepare`; nothing is compiled natively (the SQLite bindings ship prebuilt binaries).
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    RETURNS_DATA_DIR=/data \
    RETURNS_DEMO_ORDERS=false
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/locales ./locales
COPY --from=build /app/manifest ./manifest
COPY --from=build /app/src/policy/packs ./src/policy/packs
COPY --from=build /app/src/web/static ./src/web/static
COPY --from=build /app/src/web/agent ./src/web/agent
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/returnsbot.js", "serve"]
