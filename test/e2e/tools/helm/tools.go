//go:build tools

// Package tools pins helm, which the Helm executor's tests run against the
// e2e cluster (internal/executor/infra, TestHelm).
package tools

import _ "helm.sh/helm/v3/cmd/helm"
