# One image for the three services; pick one with the SERVICE build arg (api | worker | notifications)
# or override the command: `node --import tsx system/<service>/main.ts`.
# TypeScript runs through tsx at start (no build step), so the image ships the sources.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (tsx is one of them); the lock file decides the versions.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node system ./system
ARG SERVICE=api
ENV SERVICE=${SERVICE}
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 5000 5001 5002
# Ready = the service answers /health/ready on its PORT (each service's default if PORT is unset).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD node -e "const p=process.env.PORT||{api:5000,notifications:5001,worker:5002}[process.env.SERVICE];fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec replaces the shell: node is PID 1 and receives the SIGTERM of `docker stop` (graceful shutdown).
CMD ["sh", "-c", "exec node --import tsx system/${SERVICE}/main.ts"]
