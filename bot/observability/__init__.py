"""Health and metrics (README.md, "Health and metrics"): `GET /healthz` for Docker and load balancers,
`GET /metrics` for Prometheus, served on the process's web server (`routes.health_and_metrics_routes`)."""
