# One image for the three services; pick one with the SERVICE build arg (api | worker | notifications)
# or override the command: `node dist/system/<service>/main.js`.
# Multi-stage: the TypeScript is compiled in `build` (with the dev dependencies), and the image
# ships only the compiled services and the production dependencies, run by plain node as a
# non-root user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY contracts ./contracts
COPY system ./system
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the lab's (load generators, charts, tsx) are dev dependencies.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
ARG SERVICE=api
ENV SERVICE=${SERVICE}
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 5000 5001 5002
# Ready = the service answers /health/ready on its PORT (each service's default if PORT is unset).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD node -e "const p=process.env.PORT||{api:5000,notifications:5001,worker:5002}[process.env.SERVICE];fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec replaces the shell: node is PID 1 and receives the SIGTERM of `docker stop` (graceful shutdown).
CMD ["sh", "-c", "exec node dist/system/${SERVICE}/main.js"]
