# The same service, hardened: pinned bases, build secrets, a numeric non-root user.
FROM node:20.17-bookworm@sha256:a5e0ed56f2c20b9689e0f7dd498cac7e08d2a3a283e92d9304e7b9b83e3c6ff3 AS build
WORKDIR /src
COPY package*.json ./
RUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
COPY . .
RUN npm run build

FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:9ad9fcd4fa4f5d2e1ea4e7a0c9f3b5a7c0b6c1f6c1b0c4d2e8b3d1a2f5e6c7d8
COPY --from=build /src/dist /app
USER 65532:65532
CMD ["/app/server.js"]
