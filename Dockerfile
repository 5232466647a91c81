# syntax=docker/dockerfile:1
# One image for the API (default), the worker (`node dist/bin/worker.js`) and migrations
# (`node dist/bin/cli.js db migrate`); docker-compose.yml picks the command per service.

FROM node:24.20.0-trixie-slim AS build
WORKDIR /app
# Dependencies first, so a source change reuses the npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24.20.0-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and run as `node`: the app cannot rewrite its own code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/bin/api.js"]
