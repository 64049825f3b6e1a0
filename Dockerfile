# One image for every rdpfix process; docker-compose / Kubernetes pick the command.
# Node 24 "Krypton" LTS (supported until 2028-04-30): the AWS SDK's releases after January 2027
# need Node >= 22. Node 26 "Lithium" (Active LTS since 2026-10-28) works the same way:
# docker build --build-arg NODE_IMAGE=node:26-bookworm-slim .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/libs/runbook/scripts ./libs/runbook/scripts
COPY package.json ./
USER node
# The slim image has no curl: health probes use node itself (fetch is built in), e.g.
#   node dist/apps/cli/src/healthcheck.js http://127.0.0.1:3000/health/ready
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js"]
