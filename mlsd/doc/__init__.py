"""What mlsd writes out: the design document (`render`, with `charts` drawing the
simulations' declarative charts to SVG) and the monitor simulation's live exports
(`monitor_export`: Prometheus metrics, the Grafana dashboard, alerting rules).
"""
