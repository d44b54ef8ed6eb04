//go:build tools

// Package tools pins the Kubernetes control-plane commands the e2e tests
// build. It is its own module so that the project's go.mod stays free of
// Kubernetes' dependency tree.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
