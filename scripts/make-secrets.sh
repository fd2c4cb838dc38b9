#!/usr/bin/env bash
# Writes random secrets for docker/compose.yaml: docker/.env (passwords, the InfluxDB token, the
# tokens file's path) and docker/tokens.yaml (one plc, operator and quality token). Refuses to
# overwrite either; both are git-ignored. Needs only Node (for crypto-quality randomness).
set -euo pipefail
cd "$(dirname "$0")/../docker"
rand() { node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))'; }
for f in .env tokens.yaml; do
  if [ -e "$f" ]; then echo "docker/$f exists; remove it first to make new secrets" >&2; exit 1; fi
done
umask 077
cat > .env <<ENV
NATS_PASSWORD=$(rand)
INFLUX_PASSWORD=$(rand)
INFLUX_TOKEN=$(rand)
PG_PASSWORD=$(rand)
GRAFANA_PASSWORD=$(rand)
SPC_TOKENS_FILE=./tokens.yaml
ENV
cat > tokens.yaml <<TOKENS
# Made by scripts/make-secrets.sh. Give each gateway and person their own token.
- { token: $(rand), role: plc, name: gw-L1, lines: [L1] }
- { token: $(rand), role: operator, name: operators }
- { token: $(rand), role: quality, name: quality }
TOKENS
echo "wrote docker/.env and docker/tokens.yaml (mode 600); Grafana's admin password is GRAFANA_PASSWORD in docker/.env"
