//go:build tools

// Package tools pins the upstream Prometheus server this module builds (with only Kubernetes service discovery: see components.ts).
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
