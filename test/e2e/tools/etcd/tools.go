//go:build tools

// Package tools pins the etcd server the e2e control plane runs on.
package tools

import _ "go.etcd.io/etcd/server/v3"
