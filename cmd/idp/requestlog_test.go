package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestRequestLog: at debug level each request is logged without its query
// string (it carries codes and tokens); above it nothing is.
func TestRequestLog(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, tt := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelDebug, true}, {slog.LevelInfo, false}} {
		var buf bytes.Buffer
		e := gin.New()
		e.Use(requestLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level}))))
		e.GET("/x", func(c *gin.Context) { c.Status(http.StatusTeapot) })
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x?code=secret", nil))
		got := buf.String()
		if !tt.want {
			if got != "" {
				t.Errorf("level %v logged %q", tt.level, got)
			}
			continue
		}
		for _, w := range []string{"method=GET", "path=/x", "status=418", "took="} {
			if !strings.Contains(got, w) {
				t.Errorf("level %v: %q lacks %s", tt.level, got, w)
			}
		}
		if strings.Contains(got, "secret") {
			t.Errorf("the query string was logged: %q", got)
		}
	}
}
