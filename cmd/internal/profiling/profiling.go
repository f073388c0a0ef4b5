// Package profiling is the mux of Go's profiling handlers that both the
// provider (debug.pprof_addr) and the benchmark's reference server serve
// on a listener of their own, so that the two are profiled alike.
package profiling

import (
	"net/http"
	"net/http/pprof"
)

// Mux serves the net/http/pprof handlers under /debug/pprof/. It is a mux
// of its own to keep them off http.DefaultServeMux, where importing
// net/http/pprof also puts them.
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
