#!/bin/bash
# Maps database "spc" / retention policy "autogen" to the bucket, so InfluxQL (Grafana, spc
# queries) reads what spc run writes through the v2 API.
set -e
BUCKET_ID=$(influx bucket list --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | cut -f1)
influx v1 dbrp create --db "$DOCKER_INFLUXDB_INIT_BUCKET" --rp autogen --bucket-id "$BUCKET_ID" --default
