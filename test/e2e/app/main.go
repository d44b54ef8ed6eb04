// Command app is the tiny service the end-to-end tests deploy: it answers
// /api/health with {"status": "ok", "version": …}. Its image is built FROM
// scratch (nothing can be pulled here), and the APP_STATUS build argument
// makes a release report "degraded" instead, with HTTP 503, as an
// unhealthy service does.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	status := envOr("APP_STATUS", "ok")
	version := envOr("APP_VERSION", "")
	if b, err := os.ReadFile("/version.txt"); err == nil {
		version = strings.TrimSpace(string(b))
	}
	http.HandleFunc("/api/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status, "version": version})
	})
	addr := envOr("APP_ADDR", ":8080")
	log.Printf("app %s (%s) listening on %s", version, status, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
