// Command webhookreceiver is the HTTP receiver the e2e tests run in the cluster for
// spec.notifications.webhook: it records every POST to /hook (body and arrival time) and
// serves them back on GET /received. With --fail-first=N it answers the first N POSTs with 503
// and records them as refused, so that a test sees the operator retry.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

// Call is one POST the receiver got.
type Call struct {
	At       time.Time       `json:"at"`
	Accepted bool            `json:"accepted"`
	Body     json.RawMessage `json:"body"`
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	failFirst := flag.Int("fail-first", 0, "answer the first N POSTs with 503")
	flag.Parse()

	var mu sync.Mutex
	var calls []Call
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hook", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON body with Content-Type application/json", http.StatusBadRequest)
			return
		}
		mu.Lock()
		accepted := len(calls) >= *failFirst
		calls = append(calls, Call{At: time.Now().UTC(), Accepted: accepted, Body: body})
		mu.Unlock()
		if !accepted {
			http.Error(w, "failing on purpose (--fail-first)", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /received", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(calls); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
